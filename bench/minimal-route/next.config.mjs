// The minimal route's own Next app (see app/api/stripe/webhook/route.ts); built by `npm run bench`.
export default {
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
};
