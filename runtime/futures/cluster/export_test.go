package cluster

// StopServer stops p's embedded NATS server, as a crash would.
func StopServer(p *Pool) { p.srv.Shutdown() }

// Started counts p's tasks whose worker has said it started them.
func Started(p *Pool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		if c.started {
			n++
		}
	}
	return n
}

// SetWorkerExe makes the local workers of the Pools created next run exe
// instead of the test binary; "" restores it.
func SetWorkerExe(exe string) { workerExe = exe }
