/**
 * A small, strict well-formedness check for the SVG the observe/ renderers
 * emit (no dependencies): one root element, balanced tags, quoted attributes,
 * no stray '<', and '&' only as a complete entity. Throws with the offset on
 * the first problem; returns the element names in document order.
 */
export function checkXml(src: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  let i = 0;
  let roots = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(src.slice(Math.max(0, i - 40), i + 40))}`);
  };
  const checkText = (text: string): void => {
    if (text.includes('<')) fail('stray "<" in text');
    if (text.includes('>') && stack.length === 0) fail('">" outside the root');
    const amp = /&([^;\s]*);?/g;
    let m: RegExpExecArray | null;
    while ((m = amp.exec(text)) !== null) {
      if (!/^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);$/.test(m[0])) fail(`bad entity ${JSON.stringify(m[0])}`);
    }
  };
  const tag = /^<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt === -1 ? src.length : lt);
    if (stack.length === 0 && text.trim() !== '') fail('text outside the root element');
    checkText(text);
    if (lt === -1) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end === -1) fail('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    const m = tag.exec(src.slice(i));
    if (!m) fail('malformed tag');
    const [whole, close, name, attrs, selfClose] = m!;
    if (!close) {
      const seen = new Set<string>();
      for (const a of attrs!.matchAll(/([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        if (seen.has(a[1]!)) fail(`duplicate attribute ${a[1]}`);
        seen.add(a[1]!);
        checkText(a[3] ?? a[4] ?? '');
      }
    }
    if (close) {
      if (selfClose || attrs!.trim() !== '') fail('malformed end tag');
      if (stack.pop() !== name) fail(`unbalanced </${name}>`);
    } else {
      if (stack.length === 0) roots++;
      if (roots > 1) fail('more than one root element');
      names.push(name!);
      if (!selfClose) stack.push(name!);
    }
    i += whole.length;
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (roots !== 1) fail('no root element');
  return names;
}

/** Decode the five predefined entities (for reading text back out of the SVG). */
export function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text content of every <text> element, unescaped. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]!));
}
