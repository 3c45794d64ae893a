-- Local demo data (never required by tests): the demo user that `npm start`
-- prints a token for, and one quick calibration of theirs, so a first
-- generate call needs nothing but a token:
--
--   curl -X POST http://127.0.0.1:54321/functions/v1/generate \
--     -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
--     -d '{"prompt":"Write a haiku about tides","calibration_id":"ca1b0000-0000-4000-8000-000000000001","numResponses":4}'
--
-- The ranges and insights are what the calibration function answers for
-- these answers (questionnaire 2026-11-1). Safe to run more than once.

insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', 'de300000-0000-4000-8000-000000000001',
        'authenticated', 'authenticated', 'demo@lab.local', now(),
        '{"provider":"email","providers":["email"]}', '{}', now(), now())
on conflict (id) do nothing;

insert into public.calibrations (
  id, user_id, mode, questionnaire_version, answers,
  temperature_min, temperature_max, top_p_min, top_p_max,
  max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max, insights)
values (
  'ca1b0000-0000-4000-8000-000000000001', 'de300000-0000-4000-8000-000000000001', 'quick', '2026-11-1',
  '{"adventurousness":"balanced","risk_tolerance":"welcome","answer_length":"medium","repetition_tolerance":"rather_not","primary_domain":"creative_writing"}',
  0.73, 1.32, 0.87, 0.98, 506, 1743, 0.62, 1.16,
  '[{"parameter":"overall","title":"An adventurous profile","detail":"Based on 5 answers (quick calibration), generations will spread temperature over 0.73 to 1.32 and max_tokens over 506 to 1743."},
    {"parameter":"temperature","title":"Surprising wording","detail":"Your temperature range 0.73 to 1.32 favours surprising word choices; expect occasional tangents."},
    {"parameter":"top_p","title":"Full vocabulary","detail":"Your top_p range 0.87 to 0.98 keeps nearly every word in play, so rare and inventive phrasing can appear."},
    {"parameter":"max_tokens","title":"Medium-length answers","detail":"Answers get a budget of 506 to 1743 tokens: room for a few paragraphs."},
    {"parameter":"frequency_penalty","title":"Fresh wording","detail":"Your frequency penalty range 0.62 to 1.16 pushes the model away from words it has already used."}]')
on conflict (id) do nothing;
