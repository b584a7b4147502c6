// Package genbench times this repository's generator against oapi-codegen
// and ogen: generating clients from specs of growing size, and compiling
// them (see generate_test.go and BENCHMARKS.md). It holds benchmarks only,
// apart from the call benchmarks of package bench, so that either runs while
// the other's dependencies are being changed.
package genbench
