package bug

type addrFunc func(dbtx ReadWriteTx) (string, error)

// purchaseTickets records a ticket purchase whose voting and subsidy
// addresses come from the wallet.
func (w *Wallet) purchaseTickets(account uint32, count int) ([]string, error) {
	var tickets []string
	addrFn := addrFunc(func(dbtx ReadWriteTx) (string, error) {
		return w.nextAddress(dbtx, account, 1)
	})
	err := Update(w.db, func(dbtx ReadWriteTx) error {
		for i := 0; i < count; i++ {
			votingAddr, err := addrFn(dbtx) // heldout:site
			if err != nil {
				return err
			}
			subsidyAddr, err := addrFn(dbtx)
			if err != nil {
				return err
			}
			ticket := votingAddr + "+" + subsidyAddr
			if err := dbtx.Put([]byte("tickets"), []byte(ticket), nil); err != nil {
				return err
			}
			tickets = append(tickets, ticket)
		}
		return nil
	})
	return tickets, err
}
