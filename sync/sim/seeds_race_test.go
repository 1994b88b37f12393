//go:build race

package sim

// defaultSeeds is how many seeds TestSim runs without -seeds under the
// race detector, which makes each seed about ten times slower: make test
// runs the thousand seeds without it as well.
const defaultSeeds = 30
