-- Early-warning events (dark vessels, night pier approaches, rendezvous, loitering, repeat
-- visits) as the rules raise them: written when they open, change severity and close, so
-- the history outlives the server and every instance's events are in one place.
-- `id` is `<instance start, ms>-<the engine's event number>`: unique across restarts and
-- instances. `evidence` holds the positions, the pier and the tide window behind it.

CREATE TABLE IF NOT EXISTS events (
    id          text PRIMARY KEY,
    type        text NOT NULL CHECK (type IN ('dark_vessel', 'night_pier_approach', 'rendezvous',
                                              'loitering', 'repeat_visit')),
    severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    start_at    timestamptz NOT NULL,
    end_at      timestamptz,
    vessels     text[] NOT NULL,
    geom        geometry(Point, 4326) NOT NULL,
    evidence    jsonb NOT NULL,
    closing     jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS events_start_at ON events (start_at);
CREATE INDEX IF NOT EXISTS events_geom ON events USING gist (geom);
CREATE INDEX IF NOT EXISTS events_open ON events (start_at) WHERE end_at IS NULL;
