/* The three packs on sale, and rates for crypto deposits. Re-running changes nothing. */
insert into public.credit_packages (id, name, description, credits, amount_minor, currency, sort_order) values
  ('starter', 'Starter', 'Try it out: enough for a few hundred requests.', 100, 500, 'usd', 1),
  ('pro', 'Pro', 'For steady use. 10% bonus credits.', 550, 2500, 'usd', 2),
  ('scale', 'Scale', 'For teams. 20% bonus credits.', 2400, 10000, 'usd', 3)
on conflict (id) do nothing;

insert into public.crypto_rates (asset_id, credits_per_unit) values
  ('USDC', 20), ('USDT', 20), ('ETH', 60000), ('BTC', 1800000)
on conflict (asset_id) do nothing;
