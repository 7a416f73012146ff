// Package bug is a held-out kernel (issue 14): a marshaled data source
// whose item channels are made once in the constructor and set to nil
// when watching stops, so the processing goroutine started by the next
// watch selects on two nil channels for ever.
//
// Upstream: uber-go/gwr#5 ("Defer marshaled DataSource channel creation until watching starts")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: NewMarshaledDataSource makes itemChan and itemsChan; startWatching
// starts processItemChan, which loops while mds.watching, selecting on the
// two channels, and sets both to nil on its way out. "stopWatching nil's
// these, then future startWatchings never effectively start": the next
// startWatching starts a new processItemChan whose select has only nil
// channels and blocks for ever, while HandleItem's send on the nil
// itemChan falls to its default case and stops watching again. The
// watcher and source interfaces are our reduction.
//
// Fix: startWatching makes fresh channels each time, before starting the
// processing goroutine.
package bug

// GenericDataSource is a source that pushes items to one watcher.
type GenericDataSource interface {
	Watch(w GenericDataWatcher)
}

// GenericDataWatcher receives items.
type GenericDataWatcher interface {
	HandleItem(item interface{}) bool
	HandleItems(items []interface{}) bool
}

type marshaledWatcher interface {
	emit(item interface{}) bool
	emitBatch(items []interface{}) bool
	init(w interface{}) error
	Close()
}

// MarshaledDataSource marshals a source's items for several formats.
type MarshaledDataSource struct {
	source    GenericDataSource
	watchers  map[string]marshaledWatcher
	watching  bool
	itemChan  chan interface{}
	itemsChan chan []interface{}
}

// NewMarshaledDataSource wraps a source.
func NewMarshaledDataSource(source GenericDataSource, watchers map[string]marshaledWatcher) *MarshaledDataSource {
	return &MarshaledDataSource{
		source:    source,
		watchers:  watchers,
		itemChan:  make(chan interface{}, 100),
		itemsChan: make(chan []interface{}, 100),
	}
}

// Watch starts streaming to w in the named format.
func (mds *MarshaledDataSource) Watch(format string, w interface{}) error {
	watcher, ok := mds.watchers[format]
	if !ok {
		return nil
	}
	if err := watcher.init(w); err != nil {
		return err
	}
	mds.startWatching()
	return nil
}

func (mds *MarshaledDataSource) startWatching() {
	if mds.watching {
		return
	}
	mds.source.Watch(mds)
	mds.watching = true
	go mds.processItemChan()
}

func (mds *MarshaledDataSource) stopWatching() {
	if !mds.watching {
		return
	}
	mds.watching = false
	for _, watcher := range mds.watchers {
		watcher.Close()
	}
}

func (mds *MarshaledDataSource) processItemChan() {
	for mds.watching {
		any := false

		select {
		case item := <-mds.itemChan: // heldout:site
			for _, watcher := range mds.watchers {
				if watcher.emit(item) {
					any = true
				}
			}

		case items := <-mds.itemsChan: // heldout:site
			for _, watcher := range mds.watchers {
				if watcher.emitBatch(items) {
					any = true
				}
			}
		}

		if !any {
			mds.stopWatching()
		}
	}
	mds.itemChan = nil  // heldout:site
	mds.itemsChan = nil // heldout:site
}

// HandleItem passes one item to the processing goroutine.
func (mds *MarshaledDataSource) HandleItem(item interface{}) bool {
	if !mds.watching {
		return false
	}
	select {
	case mds.itemChan <- item:
		return true
	default:
		mds.stopWatching()
		return false
	}
}

// HandleItems passes a batch to the processing goroutine.
func (mds *MarshaledDataSource) HandleItems(items []interface{}) bool {
	if !mds.watching {
		return false
	}
	select {
	case mds.itemsChan <- items:
		return true
	default:
		mds.stopWatching()
		return false
	}
}
