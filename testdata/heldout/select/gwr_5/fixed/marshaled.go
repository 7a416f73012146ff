// Package fixed is the fixed version of select/gwr_5: startWatching makes
// fresh item channels before starting the processing goroutine. Upstream
// kept the nil assignments at the end of processItemChan; here the
// goroutine is handed its channels and no longer clears the fields (our
// mend), so an old loop on its way out cannot nil the channels of the next
// watch.
package fixed

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
		source:   source,
		watchers: watchers,
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
	mds.itemChan = make(chan interface{}, 100)
	mds.itemsChan = make(chan []interface{}, 100)
	mds.watching = true
	go mds.processItemChan(mds.itemChan, mds.itemsChan)
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

func (mds *MarshaledDataSource) processItemChan(itemChan <-chan interface{}, itemsChan <-chan []interface{}) {
	for mds.watching {
		any := false

		select {
		case item := <-itemChan:
			for _, watcher := range mds.watchers {
				if watcher.emit(item) {
					any = true
				}
			}

		case items := <-itemsChan:
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
