package com.qoder.kafka.cli;

import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.offsets.OffsetRecord;
import com.qoder.kafka.runtime.OffsetsAdmin;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code qoder-kafka offsets list}: one line per stored position. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "Lists every stored position: key, offsets partition, state, cursor, events delivered, last update.")
final class OffsetsListCommand extends AdminCommand {

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    try (OffsetsAdmin admin = OffsetsAdmin.open(config, timeout)) {
      List<OffsetRecord> records = admin.list();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"KEY", "PARTITION", "STATE", "CURSOR", "DELIVERED", "UPDATED_AT"});
      for (OffsetRecord r : records) {
        rows.add(new String[] {r.key().asString(), Integer.toString(admin.partitionFor(r.key())),
            r.state() == null ? "-" : r.state(), r.cursor() == null ? "-" : r.cursor(),
            Long.toString(r.counters().delivered()), r.updatedAt().toString()});
      }
      Table.print(rows, out);
      out.println("# " + records.size() + " position(s) in " + admin.topic());
      return OK;
    }
  }
}
