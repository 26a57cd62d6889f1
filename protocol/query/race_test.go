//go:build race

package query

// raceEnabled is true when the race detector runs: sync.Pool then drops
// values at random, so allocation counts mean nothing.
const raceEnabled = true
