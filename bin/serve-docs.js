#!/usr/bin/env node
// `npm run docs:serve`: builds the doc site (typedoc, into docs-site/) and serves it here, on
// this machine only, to preview what the docs workflow publishes. Usage:
//   node bin/serve-docs.js [FOLDER] [--port N]     (default: docs-site, port 8080; 0 picks a free one)
// Only files inside FOLDER are served; nothing is written.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The file under `root` a request path names, or undefined when it names nothing inside `root`. */
function fileFor(root, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const candidate = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return undefined;
  const file = pathname.endsWith('/') ? path.join(candidate, 'index.html') : candidate;
  try {
    const real = fs.realpathSync(file);
    if (!real.startsWith(root + path.sep) || !fs.statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

function main(argv) {
  const portAt = argv.indexOf('--port');
  const port = portAt >= 0 ? Number(argv[portAt + 1]) : Number(process.env.PORT ?? 8080);
  const folder = argv.find((arg, index) => !arg.startsWith('--') && (portAt < 0 || index !== portAt + 1)) ?? 'docs-site';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve-docs: --port must be a port number (got ${argv[portAt + 1]}).`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(folder, 'index.html'))) {
    console.error(`serve-docs: ${folder}/index.html does not exist: build the site first (npm run docs).`);
    process.exit(2);
  }
  const root = fs.realpathSync(folder);
  const server = http.createServer((request, response) => {
    const file = request.method === 'GET' || request.method === 'HEAD' ? fileFor(root, request.url ?? '/') : undefined;
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    if (request.method === 'HEAD') response.end();
    else fs.createReadStream(file).pipe(response);
  });
  // Loopback only: a preview is for this machine, not the network.
  server.listen(port, '127.0.0.1', () => {
    console.log(`Serving ${folder} at http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
  });
}

main(process.argv.slice(2));
