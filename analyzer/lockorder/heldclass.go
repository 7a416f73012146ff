package lockorder

// Locks a dynamic call's target leaves held on an object it captured
// elsewhere (etcd-io/etcd#14080).
//
//	le.rd = func() TxnDelete { return newStoreTxnWrite(b) } // in the constructor
//	txn := le.rd()  // newStoreTxnWrite locked b.tx and returned holding it
//	...
//	le.mu.Lock()    // the batch transaction's lock is held here
//	txn.End()       // releases it
//
// The closure's captured b is another function's value, so the held lock
// has no instance here; it is held by its lock class ("class:pkg.T.mu"),
// which orders the caller's later locks after it, and a release the
// caller cannot name (a method of the returned handle, reached through
// an interface) releases a lock of that class held so.

// holdByClass reports whether a lock a dynamic call's target leaves held,
// named relative to what that target captured elsewhere, is held here by
// its class.
func (f *fnChecker) holdByClass(a Acq) bool {
	return a.Root != "" && !genericClass(a.Lock)
}

// releaseByClass releases the lock of a's class held by class only, when
// a release cannot be named here (the receiver is a dynamic call's
// result).
func (f *fnChecker) releaseByClass(a Acq, s *state) {
	k := "class:" + a.Lock
	if s.held[k] != nil {
		s.unlock(k)
	} else if s.may[k] != nil {
		s.release(k) // held on some paths only (precision rule B)
	}
}
