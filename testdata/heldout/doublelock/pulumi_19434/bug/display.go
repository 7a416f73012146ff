// Package bug is a held-out kernel (issue 14): a CLI progress display
// whose progress-event handler write-locks the display's event mutex,
// defers the unlock, and calls the renderer's progress callback; the
// tree renderer, when it renders on every change, draws a frame at once,
// and building the frame's resource tree read-locks the same event
// mutex, so the goroutine waits for a lock it holds itself.
//
// Upstream: pulumi/pulumi#19434 ("Fix race condition when rendering progress events")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "The handleProgressEvent method uses a defer statement
// to unlock the mutex after completing its operation. However, prior to
// return, it calls renderer.progress, which can in some circumstances
// call back into methods requiring the same lock (generateTreeNodes).
// This could cause a nested-lock deadlock". The path is
// treeRenderer.progress -> markDirty -> frame (when DeterministicOutput
// and RenderOnDirty are set) -> render -> ProgressDisplay.generateTreeNodes,
// which RLocks eventMutex. Rows, colours, the terminal and the
// non-interactive renderer are reduced to strings and an io.Writer.
//
// Fix: handleProgressEvent unlocks eventMutex before calling
// renderer.progress.
package bug

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// ProgressEventPayload is a download progress update.
type ProgressEventPayload struct {
	ID        string
	Message   string
	Completed int64
	Total     int64
	Done      bool
}

// ResourceRow is one resource's line in the display.
type ResourceRow struct {
	URN    string
	Parent string
	Status string
}

// Options configure the display.
type Options struct {
	DeterministicOutput bool
	RenderOnDirty       bool
}

type progressRenderer interface {
	initializeDisplay(display *ProgressDisplay)
	tick()
	// progress is called for every progress event; first says whether
	// the event's ID is new.
	progress(payload ProgressEventPayload, first bool)
	done()
}

// ProgressDisplay keeps the state of an update's progress view.
type ProgressDisplay struct {
	// eventMutex guards eventUrnToResourceRow, which the renderer reads.
	eventMutex sync.RWMutex

	opts     Options
	renderer progressRenderer

	headerRow             *ResourceRow
	stackUrn              string
	eventUrnToResourceRow map[string]*ResourceRow
	progressEventPayloads map[string]ProgressEventPayload
}

// Event is one engine event: a resource row update or a progress update.
type Event struct {
	Row      *ResourceRow
	Progress *ProgressEventPayload
}

func (display *ProgressDisplay) processEvents(ticker *time.Ticker, events <-chan Event) {
	for {
		select {
		case <-ticker.C:
			display.renderer.tick()
		case e, ok := <-events:
			if !ok {
				display.renderer.done()
				return
			}
			switch {
			case e.Progress != nil:
				display.handleProgressEvent(*e.Progress)
			case e.Row != nil:
				display.eventMutex.Lock()
				display.ensureHeaderAndStackRows()
				display.eventUrnToResourceRow[e.Row.URN] = e.Row
				display.eventMutex.Unlock()
			}
		}
	}
}

func (display *ProgressDisplay) handleProgressEvent(payload ProgressEventPayload) {
	// The write lock, because ensureHeaderAndStackRows must be called
	// under it.
	display.eventMutex.Lock() // heldout:site
	defer display.eventMutex.Unlock()

	display.ensureHeaderAndStackRows()

	if display.progressEventPayloads == nil {
		display.progressEventPayloads = make(map[string]ProgressEventPayload)
	}
	_, seen := display.progressEventPayloads[payload.ID]
	first := !seen
	if payload.Done {
		delete(display.progressEventPayloads, payload.ID)
	} else {
		display.progressEventPayloads[payload.ID] = payload
	}

	display.renderer.progress(payload, first) // heldout:site
}

func (display *ProgressDisplay) ensureHeaderAndStackRows() {
	if display.headerRow == nil {
		display.headerRow = &ResourceRow{Status: "Status"}
		stack := &ResourceRow{URN: display.stackUrn, Status: "running"}
		display.eventUrnToResourceRow[display.stackUrn] = stack
	}
}

// generateTreeNodes returns the rows in display order; it is called from
// the renderer.
func (display *ProgressDisplay) generateTreeNodes() []*ResourceRow {
	display.eventMutex.RLock() // heldout:site
	defer display.eventMutex.RUnlock()

	result := []*ResourceRow{display.headerRow}
	var urns []string
	for urn := range display.eventUrnToResourceRow {
		urns = append(urns, urn)
	}
	sort.Strings(urns)
	for _, urn := range urns {
		result = append(result, display.eventUrnToResourceRow[urn])
	}
	return result
}

// treeRenderer draws the display as a tree in a terminal.
type treeRenderer struct {
	m sync.Mutex

	opts    Options
	out     io.Writer
	display *ProgressDisplay
	ticker  *time.Ticker
	closed  chan bool

	dirty          bool
	treeTableRows  []string
	systemMessages []string
}

func newTreeRenderer(out io.Writer, opts Options) *treeRenderer {
	r := &treeRenderer{
		opts:   opts,
		out:    out,
		ticker: time.NewTicker(16 * time.Millisecond),
		closed: make(chan bool),
	}
	go r.handleEvents()
	return r
}

func (r *treeRenderer) initializeDisplay(display *ProgressDisplay) { r.display = display }

func (r *treeRenderer) tick() { r.markDirty() }

func (r *treeRenderer) progress(ProgressEventPayload, bool) { r.markDirty() }

func (r *treeRenderer) done() {
	r.markDirty()
	r.ticker.Stop()
	close(r.closed)
	r.frame(false, true)
}

func (r *treeRenderer) markDirty() {
	r.m.Lock()
	defer r.m.Unlock()

	if r.display == nil || r.display.headerRow == nil {
		return
	}
	r.dirty = true
	if r.opts.DeterministicOutput && r.opts.RenderOnDirty {
		r.frame(true, false)
	}
}

func (r *treeRenderer) frame(locked, done bool) {
	if !locked {
		r.m.Lock()
		defer r.m.Unlock()
	}
	if !done && !r.dirty {
		return
	}
	r.dirty = false
	r.render()
	for _, row := range r.treeTableRows {
		fmt.Fprintln(r.out, row)
	}
	for _, msg := range r.systemMessages {
		fmt.Fprintln(r.out, "  "+msg)
	}
}

func (r *treeRenderer) render() {
	if r.display.headerRow == nil {
		return
	}
	rows := r.display.generateTreeNodes()
	r.treeTableRows = r.treeTableRows[:0]
	for _, row := range rows {
		r.treeTableRows = append(r.treeTableRows, row.URN+"  "+row.Status)
	}
	r.systemMessages = r.systemMessages[:0]
	var ids []string
	for id := range r.display.progressEventPayloads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := r.display.progressEventPayloads[id]
		r.systemMessages = append(r.systemMessages, fmt.Sprintf("%s %d/%d", p.Message, p.Completed, p.Total))
	}
}

func (r *treeRenderer) handleEvents() {
	for {
		select {
		case <-r.ticker.C:
			r.frame(false, false)
		case <-r.closed:
			return
		}
	}
}

// ShowProgressEvents renders events until the channel is closed.
func ShowProgressEvents(stackUrn string, events <-chan Event, out io.Writer, opts Options) {
	renderer := newTreeRenderer(out, opts)
	display := &ProgressDisplay{
		opts:                  opts,
		renderer:              renderer,
		stackUrn:              stackUrn,
		eventUrnToResourceRow: make(map[string]*ResourceRow),
	}
	renderer.initializeDisplay(display)

	ticker := time.NewTicker(time.Second)
	display.processEvents(ticker, events)
	ticker.Stop()
}
