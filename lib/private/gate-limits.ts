/** The highest per-IP rate a WAF rate-based rule may allow without an opt-out, averaged over its window (6,000 per 5 minutes). */
export const MAX_RATE_LIMIT_PER_IP_PER_SECOND = 20;
