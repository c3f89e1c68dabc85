package dev.taskhub.provider.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several SQL statements sent as one multi-statement prepared statement, so the driver ships them in one network round
 * trip (in auto-commit mode they also run as one implicit transaction). Each statement may hand back a result set to a
 * reader. Not thread-safe; one use.
 */
final class Pipeline {
    /** Binds one statement's parameters, starting at the given index; returns the next free index. */
    @FunctionalInterface
    interface Binder {
        int bind(PreparedStatement ps, int first) throws SQLException;
    }

    /** Reads the result set of one statement. */
    @FunctionalInterface
    interface Reader {
        void read(ResultSet rs) throws SQLException;
    }

    private record Step(String sql, Binder binder, Reader reader) {}

    private final List<Step> steps = new ArrayList<>();

    Pipeline add(String sql, Binder binder) {
        steps.add(new Step(sql, binder, null));
        return this;
    }

    Pipeline query(String sql, Binder binder, Reader reader) {
        steps.add(new Step(sql, binder, reader));
        return this;
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    void execute(Connection c) throws SQLException {
        if (steps.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        for (Step s : steps) {
            if (sql.length() > 0) {
                sql.append(";\n");
            }
            sql.append(s.sql());
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int index = 1;
            for (Step s : steps) {
                index = s.binder().bind(ps, index);
            }
            boolean isResultSet = ps.execute();
            for (Step s : steps) {
                if (isResultSet) {
                    try (ResultSet rs = ps.getResultSet()) {
                        if (s.reader() != null) {
                            s.reader().read(rs);
                        }
                    }
                }
                isResultSet = ps.getMoreResults();
            }
        }
    }
}
