package real

import (
	"errors"
	"strconv"
)

type toolResult struct {
	index int
	out   string
	err   error
}

func lookupTool(name string) bool { return name != "" }

func runTool(name string) (string, error) {
	if name == "fail" {
		return "", errors.New("tool failed")
	}
	return name + " done", nil
}

// Upstream: genkit-ai/genkit#5483
//
// Bug: one goroutine per tool request; each sends one result on an
// unbuffered channel, from one of several sends on its own path (not
// found, failed, done), and the collector returns on the first error:
// the goroutines that have not sent yet block forever. Fix: a buffer for
// every goroutine.
func runTools(names []string) ([]string, error) {
	results := make(chan toolResult)
	for i, name := range names {
		go func(i int, name string) {
			if !lookupTool(name) {
				results <- toolResult{index: i, err: errors.New("tool not found")} // want `several goroutines each send once on an unbuffered channel that runTools receives from in a loop \(line \d+\), but it can leave the loop after a receive and return \(line \d+\)`
				return
			}
			out, err := runTool(name)
			if err != nil {
				results <- toolResult{index: i, err: err}
				return
			}
			results <- toolResult{index: i, out: out}
		}(i, name)
	}
	outs := make([]string, len(names))
	for range names {
		res := <-results
		if res.err != nil {
			return nil, res.err
		}
		outs[res.index] = res.out
	}
	return outs, nil
}

// The same with a switch choosing the one send.
func runToolsSwitch(names []string) ([]string, error) {
	results := make(chan toolResult)
	for i, name := range names {
		go func(i int, name string) {
			out, err := runTool(name)
			switch {
			case err != nil:
				results <- toolResult{index: i, err: err} // want `several goroutines each send once on an unbuffered channel that runToolsSwitch receives from`
			case out == "":
				results <- toolResult{index: i, err: errors.New("empty output " + strconv.Itoa(i))}
			default:
				results <- toolResult{index: i, out: out}
			}
		}(i, name)
	}
	var outs []string
	for range names {
		res := <-results
		if res.err != nil {
			return nil, res.err
		}
		outs = append(outs, res.out)
	}
	return outs, nil
}

// Fixed: a buffer for every goroutine.
func runToolsBuffered(names []string) ([]string, error) {
	results := make(chan toolResult, len(names))
	for i, name := range names {
		go func(i int, name string) {
			out, err := runTool(name)
			if err != nil {
				results <- toolResult{index: i, err: err}
				return
			}
			results <- toolResult{index: i, out: out}
		}(i, name)
	}
	var outs []string
	for range names {
		res := <-results
		if res.err != nil {
			return nil, res.err
		}
		outs = append(outs, res.out)
	}
	return outs, nil
}

// Receiving every result before deciding leaks nothing.
func runToolsAll(names []string) ([]string, error) {
	results := make(chan toolResult)
	for i, name := range names {
		go func(i int, name string) {
			out, err := runTool(name)
			if err != nil {
				results <- toolResult{index: i, err: err}
				return
			}
			results <- toolResult{index: i, out: out}
		}(i, name)
	}
	var outs []string
	var first error
	for range names {
		res := <-results
		if res.err != nil && first == nil {
			first = res.err
		}
		outs = append(outs, res.out)
	}
	return outs, first
}
