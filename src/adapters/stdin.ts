/** All of stdin as latin1 text (one char per byte, so lease lines pass through unchanged). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}
