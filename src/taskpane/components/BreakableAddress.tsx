/**
 * An email address that wraps after its "@" when the column is narrow (320 px), rather than mid-word
 * ("grady.archie@c / ontoso.lab"); an address longer than the line still breaks anywhere (overflow-wrap).
 */
export function BreakableAddress({ address }: { address: string }) {
  const at = address.indexOf("@");
  if (at < 0) return <>{address}</>;
  return (
    <>
      {address.slice(0, at + 1)}
      <wbr />
      {address.slice(at + 1)}
    </>
  );
}
