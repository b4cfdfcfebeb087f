//go:build !race

package expect

// Race reports a test binary built with the race detector.
const Race = false
