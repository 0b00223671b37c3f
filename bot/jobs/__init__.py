"""Scheduled jobs: the declarative table (`scheduler.JOBS`), the single-scheduler guard and the job bodies.

Job functions are plain functions of `(services, *, now)`, so tests call them directly with a frozen
`now`; the scheduler thread only ever runs in the process holding `guard.SchedulerGuard`'s lease.
"""
