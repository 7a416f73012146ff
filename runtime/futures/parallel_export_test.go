package futures

// ShutdownDefaultParallel shuts the default parallel thread pool down and
// forgets it, so that goleak finds its workers gone after a test used it.
func ShutdownDefaultParallel() {
	parallelEx.Lock()
	p := parallelEx.def
	parallelEx.def = nil
	parallelEx.Unlock()
	if p != nil {
		p.Shutdown(true, false)
	}
}
