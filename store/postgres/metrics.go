package postgres

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"imbot/core/metric"
)

// WithMetrics reports the store's metrics to m: the series every backend
// reports (storage.Metrics) and the connection pool's gauges,
// imbot_store_pool_connections{state} and imbot_store_pool_max_connections.
func WithMetrics(m metric.Meter) Option { return func(s *Store) { s.meter = m } }

// reportPool registers the gauges of pool's connections on m, read from
// pool.Stat when the metrics are collected.
func reportPool(m metric.Meter, pool *pgxpool.Pool) {
	const help = "Connections of the PostgreSQL store's pool, by state: idle, or in_use by a query or transaction."
	m.GaugeFunc("imbot_store_pool_connections", help, func() float64 { return float64(pool.Stat().IdleConns()) },
		metric.Label{Name: "state", Value: "idle"})
	m.GaugeFunc("imbot_store_pool_connections", help, func() float64 { return float64(pool.Stat().AcquiredConns()) },
		metric.Label{Name: "state", Value: "in_use"})
	m.GaugeFunc("imbot_store_pool_max_connections", "The most connections the PostgreSQL store's pool opens.",
		func() float64 { return float64(pool.Stat().MaxConns()) })
}
