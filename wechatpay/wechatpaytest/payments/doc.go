// Package payments is the sandbox's behaviour for the merchant's journey.
package payments
