#!/usr/bin/env bash
# Copy the few front-end files the pages load from node_modules into the static vendor folder.
# They are build output (ignored by git): no CDN, so the platform runs on an intranet.
set -euo pipefail
src=node_modules
dst=src/dangjian/static/vendor
rm -rf "$dst"
mkdir -p "$dst/bootstrap" "$dst/bootstrap-icons/fonts" "$dst/echarts" "$dst/htmx"
cp "$src/bootstrap/dist/css/bootstrap.min.css" "$src/bootstrap/dist/css/bootstrap.min.css.map" "$dst/bootstrap/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$src/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$dst/bootstrap/"
cp "$src/bootstrap-icons/font/bootstrap-icons.min.css" "$dst/bootstrap-icons/"
cp "$src/bootstrap-icons/font/fonts/"bootstrap-icons.woff* "$dst/bootstrap-icons/fonts/"
cp "$src/echarts/dist/echarts.min.js" "$dst/echarts/"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
