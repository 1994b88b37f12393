//go:build !race

package sim

// defaultSeeds is how many seeds TestSim runs without -seeds.
const defaultSeeds = 1000
