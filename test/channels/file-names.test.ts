import { describe, expect, it } from "vitest";
import { extensionOf, safeFileName } from "../../src/channels/file-names.ts";

describe("safeFileName", () => {
  it("keeps an ordinary name as it is", () => {
    expect(safeFileName("Q3 report (final).pdf")).toBe("Q3 report (final).pdf");
    expect(safeFileName("Бюджет 🚀.xlsx")).toBe("Бюджет 🚀.xlsx");
  });

  it("keeps only the last path segment and no leading dots", () => {
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName("C:\\Users\\me\\notes.txt")).toBe("notes.txt");
    expect(safeFileName(".env")).toBe("env");
    expect(safeFileName("..")).toBe("file.bin");
  });

  it("replaces characters a file system or a multipart header would trip on", () => {
    expect(safeFileName('a"b;c\r\nd\u0000e<f>|g?*.txt')).toBe("a_b_c__d_e_f__g__.txt");
    expect(safeFileName("right\u202Etxt.exe")).toBe("right_txt.exe");
  });

  it("names a file that has no usable name after its type", () => {
    expect(safeFileName("", "image/png")).toBe("file.png");
    expect(safeFileName("///", "application/pdf; charset=binary")).toBe("file.pdf");
    expect(extensionOf(undefined)).toBe("bin");
  });

  it("shortens a long name to 120 characters, keeping its extension and whole emoji", () => {
    const name = safeFileName(`${"🚀".repeat(100)}.png`);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name.endsWith("🚀.png")).toBe(true);
  });
});
