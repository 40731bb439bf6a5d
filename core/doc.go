// Package core owns what every platform shares: the Envelope a message becomes,
// the Adapter and ReplyWriter contracts, the Dispatcher that accepts, orders and
// runs turns, the Router that answers them, and the store interfaces it needs.
//
// core imports no adapter and no store: cmd/imbot wires them together.
package core
