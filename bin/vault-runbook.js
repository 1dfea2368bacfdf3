#!/usr/bin/env node
// The production bundle (scripts/bundle.mjs, made by `npm run build`).
import '../dist/bundle/main.js';
