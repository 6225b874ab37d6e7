package com.qoder.kafka.cli;

import java.io.PrintWriter;
import java.util.List;

/** Left-aligned text columns, two spaces apart, for the admin commands' listings. */
final class Table {

  private Table() {}

  static void print(List<String[]> rows, PrintWriter out) {
    if (rows.isEmpty()) {
      return;
    }
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        sb.append(row[i]);
        if (i < row.length - 1) {
          sb.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      out.println(sb);
    }
  }
}
