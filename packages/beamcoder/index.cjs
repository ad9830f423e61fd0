'use strict';
// The addon itself, and nothing else: no banner on stdout, no crash handler,
// no files written. @beamflow/core loads it on first use.
module.exports = require('./build/Release/beamcoder.node');
