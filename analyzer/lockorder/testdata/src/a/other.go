package a

// The other side of precision.go's cases, in another file.

var _ = 0

func fe() { // want fe:`^acquires \{g:a\.muE\}, acquires \{g:a\.muF\}$`
	muF.Lock()
	muE.Lock() // want `lock order inversion: fe locks muF \(line 8\) then muE here, while ef locks muE \(precision.go:245\) then muF \(precision.go:246\)`
	muE.Unlock()
	muF.Unlock()
}

func (s *S) lockInOtherFile() { // want lockInOtherFile:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	s.mu.Unlock()
}
