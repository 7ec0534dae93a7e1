#!/usr/bin/env node
// The replikit command. The build (npm run build) compiles src/ to dist/.
import '../dist/src/cli/main.js';
