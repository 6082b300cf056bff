interface Props {
  providers: { slug: string; displayName: string }[];
  returnTo: string;
}

/** One button per identity provider: a plain link, the browser navigates to the provider. */
export function SsoButtons({ providers, returnTo }: Props) {
  return (
    <div className="mt-6 space-y-2">
      {providers.map((provider) => (
        <a
          key={provider.slug}
          href={`/api/v1/auth/sso/${provider.slug}/start?next=${encodeURIComponent(returnTo)}`}
          className="flex w-full items-center justify-center rounded-md bg-slate-900 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-900"
        >
          Sign in with {provider.displayName}
        </a>
      ))}
    </div>
  );
}
