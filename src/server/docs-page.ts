/**
 * `/docs`: a page that reads `/v1/openapi.json` and lists every route with its summary, request
 * and statuses. Self-contained (no CDN), so it works on an offline machine.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runloom API</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}.route{border-top:1px solid #ddd;padding:.6em 0}.m{display:inline-block;width:4.5em;font-weight:700}
code{background:#f4f4f4;padding:0 .3em}.s{color:#666;font-size:12px}pre{background:#f7f7f7;padding:.5em;overflow:auto;font-size:12px}
</style></head><body>
<h1>Runloom API</h1><p>The document: <a href="/v1/openapi.json"><code>/v1/openapi.json</code></a> (OpenAPI 3.1).
Send <code>Authorization: Bearer rlk_…</code>. Errors are <code>{ error: { code, message, details } }</code>.</p>
<div id="routes">loading…</div>
<script>
fetch('/v1/openapi.json').then(r => r.json()).then(doc => {
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const body = op.requestBody && op.requestBody.content['application/json'];
    out.push('<div class="route"><span class="m">' + method.toUpperCase() + '</span><code>' + path + '</code> ' +
      (op.summary || '') + '<div class="s">statuses: ' + Object.keys(op.responses).join(', ') + '</div>' +
      (body ? '<details><summary class="s">body</summary><pre>' +
        JSON.stringify(body.schema, null, 2).replace(/</g, '&lt;') + '</pre></details>' : '') + '</div>');
  }
  document.getElementById('routes').innerHTML = out.join('');
});
</script></body></html>`;
