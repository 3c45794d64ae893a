export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "public": {
    Tables: {
      "analytics_summaries": {
        Row: {
          "calibration_id": string;
          "created_at": string;
          "experiment_count": number;
          "id": string;
          "metrics_summary": NonNullable<Json>;
          "response_count": number;
          "sum_coherence": number;
          "sum_completeness": number;
          "sum_creativity": number;
          "sum_latency_ms": number;
          "sum_structure": number;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "calibration_id": string;
          "created_at"?: string;
          "experiment_count"?: number;
          "id"?: string;
          "metrics_summary"?: NonNullable<Json>;
          "response_count"?: number;
          "sum_coherence"?: number;
          "sum_completeness"?: number;
          "sum_creativity"?: number;
          "sum_latency_ms"?: number;
          "sum_structure"?: number;
          "updated_at"?: string;
          "user_id": string;
        };
        Update: {
          "calibration_id"?: string;
          "created_at"?: string;
          "experiment_count"?: number;
          "id"?: string;
          "metrics_summary"?: NonNullable<Json>;
          "response_count"?: number;
          "sum_coherence"?: number;
          "sum_completeness"?: number;
          "sum_creativity"?: number;
          "sum_latency_ms"?: number;
          "sum_structure"?: number;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "analytics_summaries_calibration_fkey";
            columns: ["calibration_id", "user_id"];
            isOneToOne: false;
            referencedRelation: "calibrations";
            referencedColumns: ["id", "user_id"];
          },
        ];
      };
      "audit_logs": {
        Row: {
          "correlation_id": string | null;
          "created_at": string;
          "event_data": NonNullable<Json>;
          "event_type": string;
          "id": string;
          "source": string;
          "user_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "correlation_id"?: string | null;
          "created_at"?: string;
          "event_data"?: NonNullable<Json>;
          "event_type": string;
          "id"?: string;
          "source"?: string;
          "user_id"?: string | null;
        };
        Update: {
          "correlation_id"?: string | null;
          "created_at"?: string;
          "event_data"?: NonNullable<Json>;
          "event_type"?: string;
          "id"?: string;
          "source"?: string;
          "user_id"?: string | null;
        };
        Relationships: [];
      };
      "calibrations": {
        Row: {
          "answers": NonNullable<Json>;
          "correlation_id": string | null;
          "created_at": string;
          "frequency_penalty_max": number;
          "frequency_penalty_min": number;
          "id": string;
          "insights": NonNullable<Json>;
          "max_tokens_max": number;
          "max_tokens_min": number;
          "mode": string;
          "questionnaire_version": string;
          "temperature_max": number;
          "temperature_min": number;
          "top_p_max": number;
          "top_p_min": number;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "answers": NonNullable<Json>;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "frequency_penalty_max": number;
          "frequency_penalty_min": number;
          "id"?: string;
          "insights"?: NonNullable<Json>;
          "max_tokens_max": number;
          "max_tokens_min": number;
          "mode": string;
          "questionnaire_version": string;
          "temperature_max": number;
          "temperature_min": number;
          "top_p_max": number;
          "top_p_min": number;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Update: {
          "answers"?: NonNullable<Json>;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "frequency_penalty_max"?: number;
          "frequency_penalty_min"?: number;
          "id"?: string;
          "insights"?: NonNullable<Json>;
          "max_tokens_max"?: number;
          "max_tokens_min"?: number;
          "mode"?: string;
          "questionnaire_version"?: string;
          "temperature_max"?: number;
          "temperature_min"?: number;
          "top_p_max"?: number;
          "top_p_min"?: number;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [];
      };
      "experiment_exports": {
        Row: {
          "byte_size": number | null;
          "completed_at": string | null;
          "correlation_id": string | null;
          "created_at": string;
          "error": string | null;
          "experiment_count": number | null;
          "file_format": string;
          "file_url": string | null;
          "id": string;
          "request": NonNullable<Json>;
          "response_count": number | null;
          "status": string;
          "storage_path": string | null;
          "updated_at": string;
          "url_expires_at": string | null;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "byte_size"?: number | null;
          "completed_at"?: string | null;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "experiment_count"?: number | null;
          "file_format": string;
          "file_url"?: string | null;
          "id"?: string;
          "request"?: NonNullable<Json>;
          "response_count"?: number | null;
          "status"?: string;
          "storage_path"?: string | null;
          "updated_at"?: string;
          "url_expires_at"?: string | null;
          "user_id"?: string;
        };
        Update: {
          "byte_size"?: number | null;
          "completed_at"?: string | null;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "experiment_count"?: number | null;
          "file_format"?: string;
          "file_url"?: string | null;
          "id"?: string;
          "request"?: NonNullable<Json>;
          "response_count"?: number | null;
          "status"?: string;
          "storage_path"?: string | null;
          "updated_at"?: string;
          "url_expires_at"?: string | null;
          "user_id"?: string;
        };
        Relationships: [];
      };
      "experiments": {
        Row: {
          "calibration_id": string;
          "correlation_id": string | null;
          "created_at": string;
          "discarded": boolean;
          "id": string;
          "latency_ms": number;
          "model": string;
          "parameters": NonNullable<Json>;
          "prompt": string;
          "responses": NonNullable<Json>;
          "saved": boolean;
          "status": string;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "calibration_id": string;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "discarded"?: boolean;
          "id"?: string;
          "latency_ms": number;
          "model": string;
          "parameters": NonNullable<Json>;
          "prompt": string;
          "responses": NonNullable<Json>;
          "saved"?: boolean;
          "status": string;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Update: {
          "calibration_id"?: string;
          "correlation_id"?: string | null;
          "created_at"?: string;
          "discarded"?: boolean;
          "id"?: string;
          "latency_ms"?: number;
          "model"?: string;
          "parameters"?: NonNullable<Json>;
          "prompt"?: string;
          "responses"?: NonNullable<Json>;
          "saved"?: boolean;
          "status"?: string;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "experiments_calibration_fkey";
            columns: ["calibration_id", "user_id"];
            isOneToOne: false;
            referencedRelation: "calibrations";
            referencedColumns: ["id", "user_id"];
          },
        ];
      };
      "idempotency_keys": {
        Row: {
          "created_at": string;
          "key": string;
          "locked_until": string;
          "request_hash": string;
          "response_body": Json | null;
          "response_status": number | null;
          "scope": string;
          "status": string;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "key": string;
          "locked_until"?: string;
          "request_hash": string;
          "response_body"?: Json | null;
          "response_status"?: number | null;
          "scope": string;
          "status"?: string;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Update: {
          "created_at"?: string;
          "key"?: string;
          "locked_until"?: string;
          "request_hash"?: string;
          "response_body"?: Json | null;
          "response_status"?: number | null;
          "scope"?: string;
          "status"?: string;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [];
      };
      "system_metrics": {
        Row: {
          "correlation_id": string | null;
          "created_at": string;
          "id": string;
          "latency_ms": number;
          "method": string;
          "route": string;
          "status_code": number;
          "user_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "correlation_id"?: string | null;
          "created_at"?: string;
          "id"?: string;
          "latency_ms": number;
          "method": string;
          "route": string;
          "status_code": number;
          "user_id"?: string | null;
        };
        Update: {
          "correlation_id"?: string | null;
          "created_at"?: string;
          "id"?: string;
          "latency_ms"?: number;
          "method"?: string;
          "route"?: string;
          "status_code"?: number;
          "user_id"?: string | null;
        };
        Relationships: [];
      };
    };
    Views: {
      [_ in never]: never;
    };
    Functions: {
      [_ in never]: never;
    };
    Enums: {
      [_ in never]: never;
    };
    CompositeTypes: {
      [_ in never]: never;
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof (
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R;
    } ? R
    : never
  : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Insert: infer I;
    } ? I
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I;
    } ? I
    : never
  : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Update: infer U;
    } ? U
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U;
    } ? U
    : never
  : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][
    CompositeTypeName
  ]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "public": {
    Enums: {},
  },
} as const;
