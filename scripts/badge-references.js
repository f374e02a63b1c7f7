#!/usr/bin/env node
// Draws the reference SVGs of fixtures/golden/badges with shields.io's own badge-maker, from
// the endpoint JSON next to each (what img.shields.io/endpoint?url=… draws from it).
// tests/badges.rs requires testcert's SVGs to equal these byte for byte.
//
//   mkdir -p /tmp/bm && (cd /tmp/bm && npm install badge-maker@4)
//   TESTCERT_BLESS=1 cargo test --test badges    # writes the endpoint JSON goldens
//   NODE_PATH=/tmp/bm/node_modules node scripts/badge-references.js
//   cargo test --test badges
'use strict'

const fs = require('fs')
const path = require('path')
const { makeBadge } = require('badge-maker')

const root = path.join(__dirname, '..', 'fixtures', 'golden', 'badges')
let n = 0
for (const set of fs.readdirSync(root).sort()) {
  const dir = path.join(root, set)
  if (!fs.statSync(dir).isDirectory()) continue
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue
    const endpoint = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
    if (endpoint.schemaVersion !== 1) throw new Error(`${file}: not an endpoint badge`)
    const svg = makeBadge({
      label: endpoint.label,
      message: endpoint.message,
      color: endpoint.color,
      style: 'flat',
    })
    fs.writeFileSync(path.join(dir, file.replace(/\.json$/, '.svg')), svg)
    n += 1
  }
}
const version = require('badge-maker/package.json').version
console.log(`${n} reference SVGs drawn with badge-maker ${version}`)
