// Package e2e_test holds the end-to-end tests of the generated clients
// (gen/passwordexemptcontract, and the journey's gen/payments,
// gen/contractpayments, gen/refunds and gen/bills) over the runtime: against
// an independent stand-in that checks signatures with its own code, and
// against the sandbox, with the journey's runnable Example_merchantJourney. It also holds the hostile-input, concurrency and secrets-scan
// tests that RELIABILITY.md quotes, two fuzz targets and the in-module
// benchmarks. It sits outside gen/, which holds generated code only.
package e2e_test
