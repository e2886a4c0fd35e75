// Follows RELATION's changes with pgJDBC's CopyManager, one csv line per change as its epoch commits.
// usage: java -cp .:/usr/share/java/postgresql.jar Subscribe HOST PORT RELATION [FROM_EPOCH]
//        (FROM_EPOCH: resume after the last epoch received whole)
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

public class Subscribe {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/sluice";
        String relation = args[2];
        String options = args.length > 3 ? "from_epoch = " + Long.parseLong(args[3]) : "snapshot = false";
        try (Connection conn = DriverManager.getConnection(url, "sluice", "")) {
            CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
            // copyOut writes each row to the stream as it arrives (an unbuffered stdout here) until the subscription ends.
            copy.copyOut("COPY (SUBSCRIBE TO " + relation + " WITH (" + options + ")) TO STDOUT (FORMAT csv)",
                new FileOutputStream(FileDescriptor.out));
        }
    }
}
