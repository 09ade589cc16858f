"""The HTTP security headers the built site satisfies: one policy for `_headers` and the server snippets."""
from __future__ import annotations

# No inline script or style anywhere: every script and stylesheet is a file under assets/ (or pagefind/),
# and Pagefind's WebAssembly needs 'wasm-unsafe-eval' (compiling, not eval of text).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
# The same policy in each page's <meta http-equiv>, for hosts that send no headers of a site's choosing (GitHub
# Pages): without frame-ancestors, which browsers ignore there.
PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'self'", "")
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
HEADERS_FILE = "_headers"


def headers_file() -> bytes:
    """`_headers` for Netlify and Cloudflare Pages: the security headers on every path, long caching for assets."""
    lines = ["/*", *(f"  {name}: {value}" for name, value in SECURITY_HEADERS),
             "", "/assets/*", "  Cache-Control: public, max-age=31536000, immutable", ""]
    return "\n".join(lines).encode("utf-8")
