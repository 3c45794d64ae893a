
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "analytics_summaries": {
                  Row: {
                    "calibration_id": string,"created_at": string,"experiment_count": number,"id": string,"metrics_summary": NonNullable<Json>,"response_count": number,"sum_coherence": number,"sum_completeness": number,"sum_creativity": number,"sum_latency_ms": number,"sum_structure": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "calibration_id": string,"created_at"?: string,"experiment_count"?: number,"id"?: string,"metrics_summary"?: NonNullable<Json>,"response_count"?: number,"sum_coherence"?: number,"sum_completeness"?: number,"sum_creativity"?: number,"sum_latency_ms"?: number,"sum_structure"?: number,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "calibration_id"?: string,"created_at"?: string,"experiment_count"?: number,"id"?: string,"metrics_summary"?: NonNullable<Json>,"response_count"?: number,"sum_coherence"?: number,"sum_completeness"?: number,"sum_creativity"?: number,"sum_latency_ms"?: number,"sum_structure"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "analytics_summaries_calibration_fkey"
      columns: ["calibration_id","user_id"]
isOneToOne: false
      referencedRelation: "calibrations"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"arena_arms": {
                  Row: {
                    "arena_id": string,"created_at": string,"id": string,"label": string,"model": string,"parameters": NonNullable<Json>,"user_id": string,"votes": number
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"created_at"?: string,"id"?: string,"label": string,"model": string,"parameters": NonNullable<Json>,"user_id"?: string,"votes"?: number
                  }
                  Update: {
                    "arena_id"?: string,"created_at"?: string,"id"?: string,"label"?: string,"model"?: string,"parameters"?: NonNullable<Json>,"user_id"?: string,"votes"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_arms_arena_fkey"
      columns: ["arena_id","user_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"arena_invites": {
                  Row: {
                    "arena_id": string,"email": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"email": string,"user_id"?: string
                  }
                  Update: {
                    "arena_id"?: string,"email"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_invites_arena_fkey"
      columns: ["arena_id","user_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"arena_judge_verdicts": {
                  Row: {
                    "arena_id": string,"arm_high": string,"arm_low": string,"created_at": string,"high_first": string,"id": string,"low_first": string,"model": string,"prompt_id": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"arm_high": string,"arm_low": string,"created_at"?: string,"high_first": string,"id"?: string,"low_first": string,"model": string,"prompt_id": string,"user_id"?: string
                  }
                  Update: {
                    "arena_id"?: string,"arm_high"?: string,"arm_low"?: string,"created_at"?: string,"high_first"?: string,"id"?: string,"low_first"?: string,"model"?: string,"prompt_id"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_judge_verdicts_arena_fkey"
      columns: ["arena_id","user_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "arena_judge_verdicts_arm_high_fkey"
      columns: ["arm_high"]
isOneToOne: false
      referencedRelation: "arena_arms"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_judge_verdicts_arm_low_fkey"
      columns: ["arm_low"]
isOneToOne: false
      referencedRelation: "arena_arms"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_judge_verdicts_prompt_id_fkey"
      columns: ["prompt_id"]
isOneToOne: false
      referencedRelation: "arena_prompts"
      referencedColumns: ["id"]
    }
                  ]
                },"arena_pairs": {
                  Row: {
                    "arena_id": string,"arm_high": string,"arm_low": string,"created_at": string,"id": string,"left_arm": string,"prompt_id": string,"tester_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"arm_high": string,"arm_low": string,"created_at"?: string,"id"?: string,"left_arm": string,"prompt_id": string,"tester_id": string
                  }
                  Update: {
                    "arena_id"?: string,"arm_high"?: string,"arm_low"?: string,"created_at"?: string,"id"?: string,"left_arm"?: string,"prompt_id"?: string,"tester_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_pairs_arena_id_fkey"
      columns: ["arena_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_pairs_arm_high_fkey"
      columns: ["arm_high"]
isOneToOne: false
      referencedRelation: "arena_arms"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_pairs_arm_low_fkey"
      columns: ["arm_low"]
isOneToOne: false
      referencedRelation: "arena_arms"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_pairs_prompt_id_fkey"
      columns: ["prompt_id"]
isOneToOne: false
      referencedRelation: "arena_prompts"
      referencedColumns: ["id"]
    }
                  ]
                },"arena_prompts": {
                  Row: {
                    "arena_id": string,"id": string,"position": number,"prompt": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"id"?: string,"position": number,"prompt": string,"user_id"?: string
                  }
                  Update: {
                    "arena_id"?: string,"id"?: string,"position"?: number,"prompt"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_prompts_arena_fkey"
      columns: ["arena_id","user_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"arena_responses": {
                  Row: {
                    "arena_id": string,"arm_id": string,"created_at": string,"id": string,"prompt_id": string,"seed": number,"text": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arena_id": string,"arm_id": string,"created_at"?: string,"id"?: string,"prompt_id": string,"seed": number,"text": string,"user_id"?: string
                  }
                  Update: {
                    "arena_id"?: string,"arm_id"?: string,"created_at"?: string,"id"?: string,"prompt_id"?: string,"seed"?: number,"text"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_responses_arena_fkey"
      columns: ["arena_id","user_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "arena_responses_arm_id_fkey"
      columns: ["arm_id"]
isOneToOne: false
      referencedRelation: "arena_arms"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_responses_prompt_id_fkey"
      columns: ["prompt_id"]
isOneToOne: false
      referencedRelation: "arena_prompts"
      referencedColumns: ["id"]
    }
                  ]
                },"arena_votes": {
                  Row: {
                    "answers": NonNullable<Json>,"arena_id": string,"correlation_id": string | null,"created_at": string,"pair_id": string,"reason": string | null,"tester_id": string,"verdict": string
                  }
                  ComputedFields: never
                  Insert: {
                    "answers"?: NonNullable<Json>,"arena_id": string,"correlation_id"?: string | null,"created_at"?: string,"pair_id": string,"reason"?: string | null,"tester_id": string,"verdict": string
                  }
                  Update: {
                    "answers"?: NonNullable<Json>,"arena_id"?: string,"correlation_id"?: string | null,"created_at"?: string,"pair_id"?: string,"reason"?: string | null,"tester_id"?: string,"verdict"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "arena_votes_arena_id_fkey"
      columns: ["arena_id"]
isOneToOne: false
      referencedRelation: "arenas"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "arena_votes_pair_id_fkey"
      columns: ["pair_id"]
isOneToOne: true
      referencedRelation: "arena_pairs"
      referencedColumns: ["id"]
    }
                  ]
                },"arenas": {
                  Row: {
                    "allow_owner_votes": boolean,"created_at": string,"id": string,"max_votes_per_arm": number,"name": string,"questions": NonNullable<Json>,"seed": number,"status": string,"user_id": string,"visibility": string
                  }
                  ComputedFields: never
                  Insert: {
                    "allow_owner_votes"?: boolean,"created_at"?: string,"id"?: string,"max_votes_per_arm"?: number,"name": string,"questions"?: NonNullable<Json>,"seed"?: number,"status"?: string,"user_id"?: string,"visibility"?: string
                  }
                  Update: {
                    "allow_owner_votes"?: boolean,"created_at"?: string,"id"?: string,"max_votes_per_arm"?: number,"name"?: string,"questions"?: NonNullable<Json>,"seed"?: number,"status"?: string,"user_id"?: string,"visibility"?: string
                  }
                  Relationships: [
                    
                  ]
                },"audit_logs": {
                  Row: {
                    "correlation_id": string | null,"created_at": string,"event_data": NonNullable<Json>,"event_type": string,"id": string,"source": string,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "correlation_id"?: string | null,"created_at"?: string,"event_data"?: NonNullable<Json>,"event_type": string,"id"?: string,"source"?: string,"user_id"?: string | null
                  }
                  Update: {
                    "correlation_id"?: string | null,"created_at"?: string,"event_data"?: NonNullable<Json>,"event_type"?: string,"id"?: string,"source"?: string,"user_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"batch_results": {
                  Row: {
                    "attempts": number,"cost_usd": number | null,"created_at": string,"error_code": string | null,"finished_at": string | null,"id": string,"item_id": string,"lease_until": string | null,"line_number": number,"prompt": string | null,"repeat": number,"response": Json | null,"run_id": string,"status": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: number,"cost_usd"?: number | null,"created_at"?: string,"error_code"?: string | null,"finished_at"?: string | null,"id"?: string,"item_id": string,"lease_until"?: string | null,"line_number": number,"prompt"?: string | null,"repeat": number,"response"?: Json | null,"run_id": string,"status"?: string,"user_id": string
                  }
                  Update: {
                    "attempts"?: number,"cost_usd"?: number | null,"created_at"?: string,"error_code"?: string | null,"finished_at"?: string | null,"id"?: string,"item_id"?: string,"lease_until"?: string | null,"line_number"?: number,"prompt"?: string | null,"repeat"?: number,"response"?: Json | null,"run_id"?: string,"status"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "batch_results_item_fkey"
      columns: ["item_id","user_id"]
isOneToOne: false
      referencedRelation: "dataset_items"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "batch_results_run_fkey"
      columns: ["run_id","user_id"]
isOneToOne: false
      referencedRelation: "batch_runs"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"batch_runs": {
                  Row: {
                    "calibration_id": string | null,"concurrency": number,"correlation_id": string | null,"cost_usd": number,"created_at": string,"dataset_version_id": string,"error": string | null,"failed_count": number,"finished_at": string | null,"id": string,"model": string,"name": string | null,"parameters": Json | null,"responses_per_item": number,"seed": number,"started_at": string | null,"status": string,"succeeded_count": number,"template_version_id": string,"total_results": number,"unpriced_results": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "calibration_id"?: string | null,"concurrency"?: number,"correlation_id"?: string | null,"cost_usd"?: number,"created_at"?: string,"dataset_version_id": string,"error"?: string | null,"failed_count"?: number,"finished_at"?: string | null,"id"?: string,"model": string,"name"?: string | null,"parameters"?: Json | null,"responses_per_item": number,"seed": number,"started_at"?: string | null,"status"?: string,"succeeded_count"?: number,"template_version_id": string,"total_results": number,"unpriced_results"?: number,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "calibration_id"?: string | null,"concurrency"?: number,"correlation_id"?: string | null,"cost_usd"?: number,"created_at"?: string,"dataset_version_id"?: string,"error"?: string | null,"failed_count"?: number,"finished_at"?: string | null,"id"?: string,"model"?: string,"name"?: string | null,"parameters"?: Json | null,"responses_per_item"?: number,"seed"?: number,"started_at"?: string | null,"status"?: string,"succeeded_count"?: number,"template_version_id"?: string,"total_results"?: number,"unpriced_results"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "batch_runs_calibration_fkey"
      columns: ["calibration_id","user_id"]
isOneToOne: false
      referencedRelation: "calibrations"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "batch_runs_dataset_version_fkey"
      columns: ["dataset_version_id","user_id"]
isOneToOne: false
      referencedRelation: "dataset_versions"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "batch_runs_template_version_fkey"
      columns: ["template_version_id","user_id"]
isOneToOne: false
      referencedRelation: "prompt_template_versions"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"calibrations": {
                  Row: {
                    "answers": NonNullable<Json>,"correlation_id": string | null,"created_at": string,"frequency_penalty_max": number,"frequency_penalty_min": number,"id": string,"insights": NonNullable<Json>,"max_tokens_max": number,"max_tokens_min": number,"mode": string,"questionnaire_version": string,"temperature_max": number,"temperature_min": number,"top_p_max": number,"top_p_min": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "answers": NonNullable<Json>,"correlation_id"?: string | null,"created_at"?: string,"frequency_penalty_max": number,"frequency_penalty_min": number,"id"?: string,"insights"?: NonNullable<Json>,"max_tokens_max": number,"max_tokens_min": number,"mode": string,"questionnaire_version": string,"temperature_max": number,"temperature_min": number,"top_p_max": number,"top_p_min": number,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "answers"?: NonNullable<Json>,"correlation_id"?: string | null,"created_at"?: string,"frequency_penalty_max"?: number,"frequency_penalty_min"?: number,"id"?: string,"insights"?: NonNullable<Json>,"max_tokens_max"?: number,"max_tokens_min"?: number,"mode"?: string,"questionnaire_version"?: string,"temperature_max"?: number,"temperature_min"?: number,"top_p_max"?: number,"top_p_min"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"dataset_items": {
                  Row: {
                    "content_hash": string,"created_at": string,"dataset_version_id": string,"id": string,"item_values": NonNullable<Json>,"line_number": number,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content_hash": string,"created_at"?: string,"dataset_version_id": string,"id"?: string,"item_values": NonNullable<Json>,"line_number": number,"user_id": string
                  }
                  Update: {
                    "content_hash"?: string,"created_at"?: string,"dataset_version_id"?: string,"id"?: string,"item_values"?: NonNullable<Json>,"line_number"?: number,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "dataset_items_version_fkey"
      columns: ["dataset_version_id","user_id"]
isOneToOne: false
      referencedRelation: "dataset_versions"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"dataset_skips": {
                  Row: {
                    "created_at": string,"dataset_version_id": string,"detail": string,"line_number": number,"reason": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"dataset_version_id": string,"detail": string,"line_number": number,"reason": string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"dataset_version_id"?: string,"detail"?: string,"line_number"?: number,"reason"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "dataset_skips_version_fkey"
      columns: ["dataset_version_id","user_id"]
isOneToOne: false
      referencedRelation: "dataset_versions"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"dataset_versions": {
                  Row: {
                    "checkpoint_line": number,"column_map": Json | null,"columns": (string)[] | null,"correlation_id": string | null,"created_at": string,"dataset_id": string,"delimiter": string,"error": string | null,"finished_at": string | null,"id": string,"saved_count": number,"skipped_by_reason": NonNullable<Json>,"skipped_count": number,"source_path": string,"started_at": string | null,"status": string,"updated_at": string,"user_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "checkpoint_line"?: number,"column_map"?: Json | null,"columns"?: (string)[] | null,"correlation_id"?: string | null,"created_at"?: string,"dataset_id": string,"delimiter"?: string,"error"?: string | null,"finished_at"?: string | null,"id"?: string,"saved_count"?: number,"skipped_by_reason"?: NonNullable<Json>,"skipped_count"?: number,"source_path": string,"started_at"?: string | null,"status"?: string,"updated_at"?: string,"user_id": string,"version": number
                  }
                  Update: {
                    "checkpoint_line"?: number,"column_map"?: Json | null,"columns"?: (string)[] | null,"correlation_id"?: string | null,"created_at"?: string,"dataset_id"?: string,"delimiter"?: string,"error"?: string | null,"finished_at"?: string | null,"id"?: string,"saved_count"?: number,"skipped_by_reason"?: NonNullable<Json>,"skipped_count"?: number,"source_path"?: string,"started_at"?: string | null,"status"?: string,"updated_at"?: string,"user_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "dataset_versions_dataset_fkey"
      columns: ["dataset_id","user_id"]
isOneToOne: false
      referencedRelation: "datasets"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"datasets": {
                  Row: {
                    "created_at": string,"description": string | null,"id": string,"name": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"description"?: string | null,"id"?: string,"name": string,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"description"?: string | null,"id"?: string,"name"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"experiment_exports": {
                  Row: {
                    "byte_size": number | null,"completed_at": string | null,"correlation_id": string | null,"created_at": string,"error": string | null,"experiment_count": number | null,"file_format": string,"file_url": string | null,"id": string,"request": NonNullable<Json>,"response_count": number | null,"status": string,"storage_path": string | null,"updated_at": string,"url_expires_at": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "byte_size"?: number | null,"completed_at"?: string | null,"correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"experiment_count"?: number | null,"file_format": string,"file_url"?: string | null,"id"?: string,"request"?: NonNullable<Json>,"response_count"?: number | null,"status"?: string,"storage_path"?: string | null,"updated_at"?: string,"url_expires_at"?: string | null,"user_id"?: string
                  }
                  Update: {
                    "byte_size"?: number | null,"completed_at"?: string | null,"correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"experiment_count"?: number | null,"file_format"?: string,"file_url"?: string | null,"id"?: string,"request"?: NonNullable<Json>,"response_count"?: number | null,"status"?: string,"storage_path"?: string | null,"updated_at"?: string,"url_expires_at"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"experiments": {
                  Row: {
                    "batch_run_id": string | null,"calibration_id": string,"correlation_id": string | null,"cost_usd": number | null,"created_at": string,"discarded": boolean,"id": string,"latency_ms": number,"model": string,"parameters": NonNullable<Json>,"prompt": string,"responses": NonNullable<Json>,"saved": boolean,"status": string,"template_variables": Json | null,"template_version_id": string | null,"unpriced_responses": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "batch_run_id"?: string | null,"calibration_id": string,"correlation_id"?: string | null,"cost_usd"?: number | null,"created_at"?: string,"discarded"?: boolean,"id"?: string,"latency_ms": number,"model": string,"parameters": NonNullable<Json>,"prompt": string,"responses": NonNullable<Json>,"saved"?: boolean,"status": string,"template_variables"?: Json | null,"template_version_id"?: string | null,"unpriced_responses"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "batch_run_id"?: string | null,"calibration_id"?: string,"correlation_id"?: string | null,"cost_usd"?: number | null,"created_at"?: string,"discarded"?: boolean,"id"?: string,"latency_ms"?: number,"model"?: string,"parameters"?: NonNullable<Json>,"prompt"?: string,"responses"?: NonNullable<Json>,"saved"?: boolean,"status"?: string,"template_variables"?: Json | null,"template_version_id"?: string | null,"unpriced_responses"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "experiments_batch_run_fkey"
      columns: ["batch_run_id","user_id"]
isOneToOne: false
      referencedRelation: "batch_runs"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "experiments_calibration_fkey"
      columns: ["calibration_id","user_id"]
isOneToOne: false
      referencedRelation: "calibrations"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "experiments_template_version_fkey"
      columns: ["template_version_id","user_id"]
isOneToOne: false
      referencedRelation: "prompt_template_versions"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"idempotency_keys": {
                  Row: {
                    "created_at": string,"key": string,"locked_until": string,"request_hash": string,"response_body": Json | null,"response_status": number | null,"scope": string,"status": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"key": string,"locked_until"?: string,"request_hash": string,"response_body"?: Json | null,"response_status"?: number | null,"scope": string,"status"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"key"?: string,"locked_until"?: string,"request_hash"?: string,"response_body"?: Json | null,"response_status"?: number | null,"scope"?: string,"status"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"jobs": {
                  Row: {
                    "attempts": number,"cancel_requested_at": string | null,"checkpoint": Json | null,"correlation_id": string | null,"created_at": string,"error": string | null,"finished_at": string | null,"id": string,"kind": string,"lease_expires_at": string | null,"lease_token": string | null,"max_attempts": number,"payload": NonNullable<Json>,"progress_done": number,"progress_skipped": number,"progress_total": number | null,"result": Json | null,"run_after": string,"skipped_by_reason": NonNullable<Json>,"started_at": string | null,"status": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: number,"cancel_requested_at"?: string | null,"checkpoint"?: Json | null,"correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"finished_at"?: string | null,"id"?: string,"kind": string,"lease_expires_at"?: string | null,"lease_token"?: string | null,"max_attempts"?: number,"payload"?: NonNullable<Json>,"progress_done"?: number,"progress_skipped"?: number,"progress_total"?: number | null,"result"?: Json | null,"run_after"?: string,"skipped_by_reason"?: NonNullable<Json>,"started_at"?: string | null,"status"?: string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "attempts"?: number,"cancel_requested_at"?: string | null,"checkpoint"?: Json | null,"correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"finished_at"?: string | null,"id"?: string,"kind"?: string,"lease_expires_at"?: string | null,"lease_token"?: string | null,"max_attempts"?: number,"payload"?: NonNullable<Json>,"progress_done"?: number,"progress_skipped"?: number,"progress_total"?: number | null,"result"?: Json | null,"run_after"?: string,"skipped_by_reason"?: NonNullable<Json>,"started_at"?: string | null,"status"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"judge_verdicts": {
                  Row: {
                    "correlation_id": string | null,"created_at": string,"error": string | null,"experiment_id": string,"id": string,"judge_version_id": string,"raw_reply": string | null,"reasoning": string | null,"response_index": number,"status": string,"user_id": string,"value": number | null
                  }
                  ComputedFields: never
                  Insert: {
                    "correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"experiment_id": string,"id"?: string,"judge_version_id": string,"raw_reply"?: string | null,"reasoning"?: string | null,"response_index": number,"status": string,"user_id"?: string,"value"?: number | null
                  }
                  Update: {
                    "correlation_id"?: string | null,"created_at"?: string,"error"?: string | null,"experiment_id"?: string,"id"?: string,"judge_version_id"?: string,"raw_reply"?: string | null,"reasoning"?: string | null,"response_index"?: number,"status"?: string,"user_id"?: string,"value"?: number | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "judge_verdicts_experiment_fkey"
      columns: ["experiment_id","user_id"]
isOneToOne: false
      referencedRelation: "experiments"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "judge_verdicts_judge_version_id_fkey"
      columns: ["judge_version_id"]
isOneToOne: false
      referencedRelation: "judge_versions"
      referencedColumns: ["id"]
    }
                  ]
                },"judge_versions": {
                  Row: {
                    "config_id": string,"created_at": string,"id": string,"judge_id": string,"model": string,"parameters": NonNullable<Json>,"rubric": string,"user_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "config_id": string,"created_at"?: string,"id"?: string,"judge_id": string,"model": string,"parameters": NonNullable<Json>,"rubric": string,"user_id"?: string,"version": number
                  }
                  Update: {
                    "config_id"?: string,"created_at"?: string,"id"?: string,"judge_id"?: string,"model"?: string,"parameters"?: NonNullable<Json>,"rubric"?: string,"user_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "judge_versions_config_id_fkey"
      columns: ["config_id"]
isOneToOne: false
      referencedRelation: "score_configs"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "judge_versions_judge_fkey"
      columns: ["judge_id","user_id"]
isOneToOne: false
      referencedRelation: "judges"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"judges": {
                  Row: {
                    "created_at": string,"id": string,"name": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"name": string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"name"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"model_prices": {
                  Row: {
                    "cached_input_per_million": number | null,"created_at": string,"currency": string,"effective_from": string,"id": string,"input_per_million": number,"model": string,"note": string | null,"output_per_million": number,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "cached_input_per_million"?: number | null,"created_at"?: string,"currency"?: string,"effective_from": string,"id"?: string,"input_per_million": number,"model": string,"note"?: string | null,"output_per_million": number,"user_id"?: string | null
                  }
                  Update: {
                    "cached_input_per_million"?: number | null,"created_at"?: string,"currency"?: string,"effective_from"?: string,"id"?: string,"input_per_million"?: number,"model"?: string,"note"?: string | null,"output_per_million"?: number,"user_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"model_providers": {
                  Row: {
                    "api_key_secret": string,"base_url": string,"created_at": string,"enabled": boolean,"id": string,"name": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "api_key_secret": string,"base_url": string,"created_at"?: string,"enabled"?: boolean,"id"?: string,"name": string,"updated_at"?: string
                  }
                  Update: {
                    "api_key_secret"?: string,"base_url"?: string,"created_at"?: string,"enabled"?: boolean,"id"?: string,"name"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"models": {
                  Row: {
                    "context_window": number,"created_at": string,"enabled": boolean,"id": string,"name": string,"provider_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "context_window": number,"created_at"?: string,"enabled"?: boolean,"id"?: string,"name": string,"provider_id": string,"updated_at"?: string
                  }
                  Update: {
                    "context_window"?: number,"created_at"?: string,"enabled"?: boolean,"id"?: string,"name"?: string,"provider_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "models_provider_id_fkey"
      columns: ["provider_id"]
isOneToOne: false
      referencedRelation: "model_providers"
      referencedColumns: ["id"]
    }
                  ]
                },"prompt_template_labels": {
                  Row: {
                    "created_at": string,"label": string,"template_id": string,"updated_at": string,"user_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"label": string,"template_id": string,"updated_at"?: string,"user_id"?: string,"version": number
                  }
                  Update: {
                    "created_at"?: string,"label"?: string,"template_id"?: string,"updated_at"?: string,"user_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "prompt_template_labels_template_fkey"
      columns: ["template_id","user_id"]
isOneToOne: false
      referencedRelation: "prompt_templates"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "prompt_template_labels_version_fkey"
      columns: ["template_id","version"]
isOneToOne: false
      referencedRelation: "prompt_template_versions"
      referencedColumns: ["template_id","version"]
    }
                  ]
                },"prompt_template_versions": {
                  Row: {
                    "body": string,"commit_message": string | null,"created_at": string,"default_parameters": Json | null,"id": string,"system_prompt": string | null,"template_id": string,"user_id": string,"variables": (string)[],"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "body": string,"commit_message"?: string | null,"created_at"?: string,"default_parameters"?: Json | null,"id"?: string,"system_prompt"?: string | null,"template_id": string,"user_id"?: string,"variables"?: (string)[],"version": number
                  }
                  Update: {
                    "body"?: string,"commit_message"?: string | null,"created_at"?: string,"default_parameters"?: Json | null,"id"?: string,"system_prompt"?: string | null,"template_id"?: string,"user_id"?: string,"variables"?: (string)[],"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "prompt_template_versions_template_fkey"
      columns: ["template_id","user_id"]
isOneToOne: false
      referencedRelation: "prompt_templates"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"prompt_templates": {
                  Row: {
                    "created_at": string,"description": string | null,"id": string,"name": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"description"?: string | null,"id"?: string,"name": string,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"description"?: string | null,"id"?: string,"name"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"rating_revisions": {
                  Row: {
                    "comment": string | null,"correlation_id": string | null,"created_at": string,"id": string,"label": string | null,"owner_id": string,"rater_id": string | null,"rating_id": string,"revision": number,"value": number
                  }
                  ComputedFields: never
                  Insert: {
                    "comment"?: string | null,"correlation_id"?: string | null,"created_at"?: string,"id"?: string,"label"?: string | null,"owner_id": string,"rater_id"?: string | null,"rating_id": string,"revision": number,"value": number
                  }
                  Update: {
                    "comment"?: string | null,"correlation_id"?: string | null,"created_at"?: string,"id"?: string,"label"?: string | null,"owner_id"?: string,"rater_id"?: string | null,"rating_id"?: string,"revision"?: number,"value"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "rating_revisions_rating_id_fkey"
      columns: ["rating_id"]
isOneToOne: false
      referencedRelation: "ratings"
      referencedColumns: ["id"]
    }
                  ]
                },"ratings": {
                  Row: {
                    "comment": string | null,"config_id": string,"correlation_id": string | null,"created_at": string,"experiment_id": string,"id": string,"judge_version_id": string | null,"label": string | null,"owner_id": string,"queue_id": string | null,"rater_id": string | null,"response_index": number,"revision": number,"source": string,"updated_at": string,"value": number
                  }
                  ComputedFields: never
                  Insert: {
                    "comment"?: string | null,"config_id": string,"correlation_id"?: string | null,"created_at"?: string,"experiment_id": string,"id"?: string,"judge_version_id"?: string | null,"label"?: string | null,"owner_id"?: string,"queue_id"?: string | null,"rater_id"?: string | null,"response_index": number,"revision"?: number,"source": string,"updated_at"?: string,"value": number
                  }
                  Update: {
                    "comment"?: string | null,"config_id"?: string,"correlation_id"?: string | null,"created_at"?: string,"experiment_id"?: string,"id"?: string,"judge_version_id"?: string | null,"label"?: string | null,"owner_id"?: string,"queue_id"?: string | null,"rater_id"?: string | null,"response_index"?: number,"revision"?: number,"source"?: string,"updated_at"?: string,"value"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "ratings_config_id_fkey"
      columns: ["config_id"]
isOneToOne: false
      referencedRelation: "score_configs"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "ratings_experiment_fkey"
      columns: ["experiment_id","owner_id"]
isOneToOne: false
      referencedRelation: "experiments"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "ratings_judge_version_id_fkey"
      columns: ["judge_version_id"]
isOneToOne: false
      referencedRelation: "judge_versions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "ratings_queue_id_fkey"
      columns: ["queue_id"]
isOneToOne: false
      referencedRelation: "review_queues"
      referencedColumns: ["id"]
    }
                  ]
                },"review_leases": {
                  Row: {
                    "completed_at": string | null,"item_id": string,"leased_until": string,"reviewer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "completed_at"?: string | null,"item_id": string,"leased_until": string,"reviewer_id": string
                  }
                  Update: {
                    "completed_at"?: string | null,"item_id"?: string,"leased_until"?: string,"reviewer_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "review_leases_item_id_fkey"
      columns: ["item_id"]
isOneToOne: false
      referencedRelation: "review_queue_items"
      referencedColumns: ["id"]
    }
                  ]
                },"review_queue_items": {
                  Row: {
                    "created_at": string,"experiment_id": string,"id": string,"parameters": Json | null,"prompt": string | null,"queue_id": string,"response_index": number,"response_text": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"experiment_id": string,"id"?: string,"parameters"?: Json | null,"prompt"?: string | null,"queue_id": string,"response_index": number,"response_text": string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"experiment_id"?: string,"id"?: string,"parameters"?: Json | null,"prompt"?: string | null,"queue_id"?: string,"response_index"?: number,"response_text"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "review_queue_items_experiment_fkey"
      columns: ["experiment_id","user_id"]
isOneToOne: false
      referencedRelation: "experiments"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "review_queue_items_queue_fkey"
      columns: ["queue_id","user_id"]
isOneToOne: false
      referencedRelation: "review_queues"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"review_queue_reviewers": {
                  Row: {
                    "created_at": string,"email": string,"queue_id": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"email": string,"queue_id": string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"email"?: string,"queue_id"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "review_queue_reviewers_queue_fkey"
      columns: ["queue_id","user_id"]
isOneToOne: false
      referencedRelation: "review_queues"
      referencedColumns: ["id","user_id"]
    }
                  ]
                },"review_queues": {
                  Row: {
                    "closed": boolean,"config_ids": (string)[],"created_at": string,"id": string,"lease_seconds": number,"name": string,"ratings_per_item": number,"show_parameters": boolean,"show_prompt": boolean,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "closed"?: boolean,"config_ids": (string)[],"created_at"?: string,"id"?: string,"lease_seconds"?: number,"name": string,"ratings_per_item"?: number,"show_parameters"?: boolean,"show_prompt"?: boolean,"user_id"?: string
                  }
                  Update: {
                    "closed"?: boolean,"config_ids"?: (string)[],"created_at"?: string,"id"?: string,"lease_seconds"?: number,"name"?: string,"ratings_per_item"?: number,"show_parameters"?: boolean,"show_prompt"?: boolean,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"score_configs": {
                  Row: {
                    "archived": boolean,"categories": (string)[] | null,"created_at": string,"data_type": string,"description": string | null,"id": string,"max_value": number | null,"min_value": number | null,"name": string,"step": number | null,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "archived"?: boolean,"categories"?: (string)[] | null,"created_at"?: string,"data_type": string,"description"?: string | null,"id"?: string,"max_value"?: number | null,"min_value"?: number | null,"name": string,"step"?: number | null,"user_id"?: string | null
                  }
                  Update: {
                    "archived"?: boolean,"categories"?: (string)[] | null,"created_at"?: string,"data_type"?: string,"description"?: string | null,"id"?: string,"max_value"?: number | null,"min_value"?: number | null,"name"?: string,"step"?: number | null,"user_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"system_metrics": {
                  Row: {
                    "correlation_id": string | null,"created_at": string,"id": string,"latency_ms": number,"method": string,"route": string,"status_code": number,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "correlation_id"?: string | null,"created_at"?: string,"id"?: string,"latency_ms": number,"method": string,"route": string,"status_code": number,"user_id"?: string | null
                  }
                  Update: {
                    "correlation_id"?: string | null,"created_at"?: string,"id"?: string,"latency_ms"?: number,"method"?: string,"route"?: string,"status_code"?: number,"user_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"system_metrics_rollups": {
                  Row: {
                    "bucket_start": string,"latency_ms": number,"method": string,"request_count": number,"route": string,"status_code": number
                  }
                  ComputedFields: never
                  Insert: {
                    "bucket_start": string,"latency_ms": number,"method": string,"request_count": number,"route": string,"status_code": number
                  }
                  Update: {
                    "bucket_start"?: string,"latency_ms"?: number,"method"?: string,"request_count"?: number,"route"?: string,"status_code"?: number
                  }
                  Relationships: [
                    
                  ]
                },"user_roles": {
                  Row: {
                    "created_at": string,"granted_by": string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"granted_by"?: string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"granted_by"?: string | null,"role"?: Database["public"]['Enums']["app_role"],"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            "failed_jobs": {
                  Row: {
                    "attempts": number,"correlation_id": string | null,"error": string | null,"finished_at": string | null,"job_id": string,"kind": string,"user_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"recent_errors": {
                  Row: {
                    "code": string | null,"correlation_id": string | null,"created_at": string,"method": string | null,"route": string | null,"status": number | null,"user_id": string | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"requests_per_route_day": {
                  Row: {
                    "day": string | null,"method": string | null,"requests": number | null,"route": string | null,"server_errors": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"response_scores": {
                  Row: {
                    "config_id": string | null,"experiment_id": string | null,"judge_version_id": string | null,"label": string | null,"rated_at": string | null,"rater_id": string | null,"response_index": number | null,"source": string | null,"value": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"slowest_routes": {
                  Row: {
                    "error_rate": number | null,"method": string | null,"p50_ms": number | null,"p95_ms": number | null,"p99_ms": number | null,"requests": number | null,"route": string | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                }
          }
          Functions: {
            "batch_run_summary":
{ Args: { "p_bins"?: number,"p_parameter"?: string,"p_run_id": string }; Returns: Json
                           },
"cancel_job":
{ Args: { "p_job_id": string }; Returns: {
              "cancel_requested_at": string,"id": string,"status": string
            }[]
                           },
"cast_arena_vote":
{ Args: { "p_answers"?: Json,"p_pair_id": string,"p_reason"?: string,"p_verdict": string }; Returns: undefined
                           },
"custom_access_token_hook":
{ Args: { "event": Json }; Returns: Json
                           },
"next_arena_pair":
{ Args: { "p_arena_id": string }; Returns: {
              "left_text": string,"pair_id": string,"prompt": string,"questions": Json,"right_text": string
            }[]
                           },
"next_review_item":
{ Args: { "p_queue_id": string }; Returns: {
              "config_ids": (string)[],"item_id": string,"leased_until": string,"parameters": Json,"prompt": string,"queue_id": string,"response_text": string
            }[]
                           },
"rating_bins":
{ Args: { "p_bins"?: number,"p_calibration_id": string,"p_parameter"?: string }; Returns: {
              "bin": number,"bin_from": number,"bin_to": number,"config_id": string,"count": number,"mean": number,"source": string
            }[]
                           },
"share_responses":
{ Args: { "p_calibration_id"?: string,"p_experiment_ids"?: (string)[],"p_limit"?: number,"p_queue_id": string }; Returns: number
                           },
"submit_review":
{ Args: { "p_item_id": string,"p_ratings": Json }; Returns: string[]
                           }
          }
          Enums: {
            "app_role": "admin"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "app_role": ["admin"]
          }
        }
} as const
