/** Fluent Field props marking a field invalid with the given reason (nothing when it is valid). */
export function fieldState(
  errors: Record<string, string>,
  name: string,
): { validationState?: "error"; validationMessage?: string } {
  const message = errors[name];
  return message ? { validationState: "error", validationMessage: message } : {};
}
