// Package bug is a held-out kernel (issue 14): the motion planner's
// getSolutions collects IK solutions from a channel buffered to twice the
// number of solver threads; when the caller's context fails while the
// buffer is full (checking solutions is slower than making them), it
// returns without draining the channel, the solvers stay blocked on their
// sends, and the deferred wait for the solver goroutine hangs for ever.
//
// Upstream: viamrobotics/rdk#4947 ("RSDK-10603 Fix deadlock")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: getSolutions makes ctxWithCancel, the solutionGen channel
// (capacity NumThreads*2) and defers activeSolvers.Wait() for the
// goroutine running the combined IK solver, which starts one nlopt solver
// per thread and waits for them; each solver sends every solution it
// finds on solutionGen with a plain send and only looks at its context
// between steps. getSolutions' loop checks the caller's context, takes a
// solution, checks its constraints and scores it, and after enough
// solutions cancels the solvers and drains what is left. When the
// caller's context is done it returns ctx.Err() at once: with the buffer
// full, each solver is blocked in its send and never sees the cancelled
// context, the combined solver never returns, and the deferred Wait never
// does. The PR: "the individual solvers will wait on trying to write to
// the passed solver channel, causing an indefinite deadlock". Frames,
// constraints and the nlopt optimisation are reduced to callbacks over
// []float64; the frame-system conversion and its error return are left
// out of both versions.
//
// Fix (viamrobotics/rdk#4947): a deferred loop, run before the wait,
// drains solutionGen ("in the case that we have an error, we need to
// explicitly drain the channel before we return"), so that every blocked
// solver can finish its send and see the cancelled context; the buffer
// is also raised to NumThreads*20.
package bug

import (
	"context"
	"errors"
	"math/rand"
	"sort"
	"sync"
)

// Solution is one IK solution.
type Solution struct {
	Configuration []float64
	Score         float64
}

// nloptIK is one gradient-descent solver.
type nloptIK struct {
	dof        int
	maxIter    int
	goodEnough float64
}

// Solve sends the solutions it finds on c until ctx is done or it runs
// out of iterations.
func (ik *nloptIK) Solve(ctx context.Context, c chan<- *Solution, seed []float64, metric func([]float64) float64, rseed int) error {
	r := rand.New(rand.NewSource(int64(rseed)))
	found := 0
	for i := 0; i < ik.maxIter; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		q := make([]float64, ik.dof)
		for j := range q {
			q[j] = seed[j] + r.NormFloat64()*0.1
		}
		if score := metric(q); score < ik.goodEnough {
			c <- &Solution{Configuration: q, Score: score} // heldout:site
			found++
		}
	}
	if found == 0 {
		return errors.New("no solution")
	}
	return nil
}

// combinedIK runs several solvers in parallel on the same channel.
type combinedIK struct {
	solvers []*nloptIK
}

// Solve runs every solver and waits for them.
func (ik *combinedIK) Solve(ctx context.Context, c chan<- *Solution, seed []float64, metric func([]float64) float64, rseed int) error {
	ctxWithCancel, cancel := context.WithCancel(ctx)
	defer cancel()
	errChan := make(chan error, len(ik.solvers))
	var activeSolvers sync.WaitGroup
	for i, solver := range ik.solvers {
		activeSolvers.Add(1)
		go func(s *nloptIK, seedOffset int) {
			defer activeSolvers.Done()
			errChan <- s.Solve(ctxWithCancel, c, seed, metric, rseed+seedOffset)
		}(solver, i)
	}
	activeSolvers.Wait() // heldout:site
	close(errChan)
	var firstErr error
	ok := false
	for err := range errChan {
		if err == nil {
			ok = true
		} else if firstErr == nil {
			firstErr = err
		}
	}
	if ok {
		return nil
	}
	return firstErr
}

// PlannerOptions are the planning options.
type PlannerOptions struct {
	NumThreads   int
	MaxSolutions int
	MinScore     float64
	CheckState   func(q []float64) (bool, string)
	Distance     func(from, to []float64) float64
}

type node struct {
	q    []float64
	cost float64
}

var errIKSolve = errors.New("zero IK solutions produced, goal positions appears to be physically unreachable")

type planner struct {
	solver   *combinedIK
	planOpts *PlannerOptions
	randseed *rand.Rand
}

// getSolutions runs the IK solver from seed, scores the solutions by the
// constraints and returns them ordered by cost.
func (mp *planner) getSolutions(ctx context.Context, seed []float64, metric func([]float64) float64) ([]node, error) {
	nSolutions := mp.planOpts.MaxSolutions
	if nSolutions == 0 {
		nSolutions = 50
	}
	if metric == nil {
		return nil, errors.New("metric is nil")
	}

	ctxWithCancel, cancel := context.WithCancel(ctx)
	defer cancel()

	solutionGen := make(chan *Solution, mp.planOpts.NumThreads*2)
	ikErr := make(chan error, 1)
	var activeSolvers sync.WaitGroup
	defer activeSolvers.Wait() // heldout:site
	activeSolvers.Add(1)

	// Spawn the IK solver to generate solutions until done
	go func() {
		defer close(ikErr)
		defer activeSolvers.Done()
		ikErr <- mp.solver.Solve(ctxWithCancel, solutionGen, seed, metric, mp.randseed.Int())
	}()

	solutions := map[float64][]float64{}
	failures := map[string]int{}
	constraintFailCnt := 0

IK:
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err() // heldout:site
		default:
		}

		select {
		case stepSolution := <-solutionGen:
			step := stepSolution.Configuration
			if pass, failName := mp.planOpts.CheckState(step); !pass {
				constraintFailCnt++
				failures[failName]++
				continue IK
			}
			score := mp.planOpts.Distance(seed, step)
			if score < mp.planOpts.MinScore && mp.planOpts.MinScore > 0 {
				solutions = map[float64][]float64{score: step}
				break IK
			}
			solutions[score] = step
			if len(solutions) >= nSolutions {
				break IK
			}
			continue IK
		default:
		}

		select {
		case <-ikErr:
			// no more solutions; the continue above drains the channel first
			break IK
		default:
		}
	}

	// Cancel any ongoing processing within the IK solvers
	cancel()
	for done := false; !done; {
		select {
		case <-solutionGen:
		default:
			done = true
		}
	}

	if len(solutions) == 0 {
		if constraintFailCnt == 0 {
			return nil, errIKSolve
		}
		return nil, errors.New("all IK solutions failed constraints")
	}
	keys := make([]float64, 0, len(solutions))
	for k := range solutions {
		keys = append(keys, k)
	}
	sort.Float64s(keys)
	ordered := make([]node, 0, len(keys))
	for _, k := range keys {
		ordered = append(ordered, node{q: solutions[k], cost: k})
	}
	return ordered, nil
}
