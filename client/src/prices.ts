/**
 * Model prices through the Data API under RLS: the lab's list (read-only to
 * users) and the caller's own prices, which win over the lab's for the
 * caller's responses from their effective date on.
 *
 * @module
 */
import type { LabSupabaseClient } from "./reads.ts";
import { failure, type LabResult, success } from "./result.ts";
import { fromPostgrest } from "./rows.ts";
import type { ModelPriceRow } from "./types.ts";

/** A price of your own for a model, per million tokens in USD. */
export interface NewModelPrice {
  /** The model name exactly as sent to the endpoint. */
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
  /** Cached prompt tokens, where the provider has a price; else the input price applies. */
  cachedInputPerMillion?: number;
  /** From when it applies (ISO date-time); now by default. */
  effectiveFrom?: string;
  /** Where the price comes from. */
  note?: string;
}

/**
 * The price list.
 *
 * @example
 * ```ts
 * const prices = priceCalls(supabase);
 * const { data } = await prices.list({ model: "gpt-4o" });
 * ```
 */
export function priceCalls(supabase: LabSupabaseClient) {
  return {
    /**
     * The lab's prices and yours (`user_id` set), per model, newest effective date first.
     *
     * @example
     * ```ts
     * const { data } = await lab.prices.list();
     * data?.filter((p) => p.user_id === null); // the lab's list
     * ```
     */
    async list(options: { model?: string } = {}): Promise<LabResult<ModelPriceRow[]>> {
      let query = supabase.from("model_prices").select("*");
      if (options.model) query = query.eq("model", options.model);
      const { data, error, status } = await query.order("model")
        .order("effective_from", { ascending: false });
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Adds a price of your own; responses stored from `effectiveFrom` on are priced with it.
     *
     * @example
     * ```ts
     * await lab.prices.add({ model: "my-llama", inputPerMillion: 0.2, outputPerMillion: 0.6 });
     * ```
     */
    async add(price: NewModelPrice): Promise<LabResult<ModelPriceRow>> {
      const { data, error, status } = await supabase.from("model_prices").insert({
        model: price.model,
        input_per_million: price.inputPerMillion,
        output_per_million: price.outputPerMillion,
        cached_input_per_million: price.cachedInputPerMillion ?? null,
        effective_from: price.effectiveFrom ?? new Date().toISOString(),
        note: price.note ?? null,
      }).select("*").single();
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Removes a price of your own (the lab's list is not yours to change).
     *
     * @example
     * ```ts
     * await lab.prices.remove(priceId);
     * ```
     */
    async remove(id: string): Promise<LabResult<null>> {
      const { error, status } = await supabase.from("model_prices").delete().eq("id", id);
      return error ? failure(fromPostgrest(error, status)) : success(null);
    },
  };
}
