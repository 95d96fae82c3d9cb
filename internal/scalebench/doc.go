// Package scalebench holds the benchmarks of issue 5 ("must show") on a
// platform of realistic size: a million people registered, each with a
// data key of their own, and one person with 1,000 orders and 10,000
// behaviour events (footprints and search history). They measure what a
// person waits for: the JSON export of an access or copy request, and the
// identity check that deregisters them (crypto-shredding their key).
//
//	CGO_ENABLED=0 go test -run XXX -bench . -benchtime 20x -timeout 60m ./internal/scalebench/
//
// MINIMALL_SCALE_SUBJECTS sets another number of people (default
// 1,000,000); MINIMALL_TEST_POSTGRES adds the PostgreSQL runs. go test
// without -bench runs only a small test of the same seeding and checks.
package scalebench
