/** Exports over HTTP: the function builds a ZIP, Storage serves it through a signed URL. */
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { LabNotFoundError, LabValidationError } from "../src/index.ts";
import { calibrate, createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("exports over HTTP", () => {
  it("creates a ZIP export, downloads it through the signed URL and reads its manifest", async () => {
    const user = await createUser("exp");
    const lab = labFor(user);
    const calibration = await calibrate(lab);
    const first = await lab.generate({
      prompt: "Alpha",
      calibration_id: calibration.id,
      numResponses: 2,
    });
    const second = await lab.generate({
      prompt: "Beta",
      calibration_id: calibration.id,
      numResponses: 1,
    });
    expect(first.error ?? second.error).toBeNull();

    const created = await lab.exports.create({ format: "zip" });
    expect(created.error).toBeNull();
    expect(created.data).toMatchObject({
      format: "zip",
      status: "completed",
      experimentCount: 2,
      responseCount: 3,
    });

    const downloaded = await lab.exports.download(created.data!.id);
    expect(downloaded.error).toBeNull();
    expect(downloaded.data?.format).toBe("zip");
    expect(downloaded.data?.bytes.byteLength).toBe(created.data!.byteSize);

    const entries = unzipSync(downloaded.data!.bytes);
    expect(Object.keys(entries)).toContain("manifest.json");
    const manifest = JSON.parse(strFromU8(entries["manifest.json"])) as {
      exportId: string;
      userId: string;
      counts: { experiments: number; responses: number };
      files: { name?: string; path?: string }[];
    };
    expect(manifest.exportId).toBe(created.data!.id);
    expect(manifest.userId).toBe(user.id);
    expect(manifest.counts).toMatchObject({ experiments: 2, responses: 3 });
    expect(manifest.files.length).toBe(Object.keys(entries).length - 1);

    const listed = await lab.exports.list();
    expect(listed.data?.map((row) => [row.id, row.status])).toEqual([[
      created.data!.id,
      "completed",
    ]]);
  });

  it("answers an export being built at once with wait: false, and waits for one with progress", async () => {
    const lab = labFor(await createUser("exp-async"));
    const calibration = await calibrate(lab);
    const made = await lab.generate({ prompt: "Gamma", calibration_id: calibration.id });
    expect(made.error).toBeNull();

    const queued = await lab.exports.create({ format: "csv" }, { respondAsync: true, wait: false });
    expect(queued.error).toBeNull();
    expect(queued.data?.status).not.toBe("completed");
    expect("job" in queued.data! && queued.data.job?.progress.total).toBe(1);

    const seen: string[] = [];
    const done = await lab.exports.create({ format: "json" }, {
      respondAsync: true,
      intervalMs: 50,
      onProgress: (details) => seen.push(details.job?.status ?? "none"),
    });
    expect(done.error).toBeNull();
    expect(done.data).toMatchObject({ format: "json", status: "completed", experimentCount: 1 });
    expect(seen.at(-1)).toBe("succeeded");
    const file = await lab.exports.download(done.data!.id);
    expect(JSON.parse(strFromU8(file.data!.bytes)).experiments).toHaveLength(1);
  });

  it("keeps one export per Idempotency-Key", async () => {
    const lab = labFor(await createUser("exp-idem"));
    const idempotencyKey = crypto.randomUUID();
    const a = await lab.exports.create({ format: "csv" }, { idempotencyKey });
    const b = await lab.exports.create({ format: "csv" }, { idempotencyKey });
    expect(a.error).toBeNull();
    expect(b.data?.id).toBe(a.data?.id);
    const listed = await lab.exports.list();
    expect(listed.data).toHaveLength(1);
  });

  it("hides another user's export (404) and validates the request (400)", async () => {
    const owner = labFor(await createUser("exp-owner"));
    const stranger = labFor(await createUser("exp-stranger"));
    const created = await owner.exports.create({ format: "json" });
    expect(created.error).toBeNull();

    const peek = await stranger.exports.get(created.data!.id);
    expect(peek.error).toBeInstanceOf(LabNotFoundError);
    const steal = await stranger.exports.download(created.data!.id);
    expect(steal.error).toBeInstanceOf(LabNotFoundError);

    const bad = await owner.exports.create({ format: "pdf" as "csv" });
    expect(bad.error).toBeInstanceOf(LabValidationError);
  });
});
