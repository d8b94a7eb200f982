"""The read side: services that answer what the API, the pages, the CLI and the reports
show. Each opens its own read transaction and returns read models (`models`), so no
adapter touches the store. One module a topic: cases, board (the case pages), incidents,
directory, reports, events, audit, outbox, status (counts and the clock), maps (what the
map's snapshot is read from) and daily (what the daily report reads); `rules` applies the
protocol's rules (quorum, who may decide) to stored rows."""
