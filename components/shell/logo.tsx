export function Logo({ className = "size-8" }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" className="fill-indigo-600" />
      <circle cx="11" cy="12" r="4" className="fill-white" />
      <circle cx="22" cy="10" r="2.5" className="fill-indigo-200" />
      <circle cx="20" cy="21" r="5" className="fill-white/90" />
      <circle cx="9" cy="23" r="2" className="fill-indigo-200" />
    </svg>
  );
}
