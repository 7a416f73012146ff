package fixed

type addrFunc func() (string, error)

// purchaseTickets records a ticket purchase whose voting and subsidy
// addresses come from the wallet.
func (w *Wallet) purchaseTickets(account uint32, count int) ([]string, error) {
	addrFn := addrFunc(func() (string, error) {
		return w.nextAddress(nil, account, 1)
	})
	tickets := make([]string, 0, count)
	for i := 0; i < count; i++ {
		votingAddr, err := addrFn()
		if err != nil {
			return nil, err
		}
		subsidyAddr, err := addrFn()
		if err != nil {
			return nil, err
		}
		tickets = append(tickets, votingAddr+"+"+subsidyAddr)
	}
	err := Update(w.db, func(dbtx ReadWriteTx) error {
		for _, ticket := range tickets {
			if err := dbtx.Put([]byte("tickets"), []byte(ticket), nil); err != nil {
				return err
			}
		}
		return nil
	})
	return tickets, err
}
