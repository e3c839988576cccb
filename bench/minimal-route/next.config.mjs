// The minimal route's own Next app (see app/minimal/webhook/route.ts); built by `npm run bench`.
const config = {
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
};

export default config;
