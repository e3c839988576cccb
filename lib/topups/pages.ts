/** Where automatic top-up lives in the account area (mails link here, from supabase/schemas/097_topups.sql too). */
export const TOPUP_PAGE = "/settings/top-up";
