import type { ReactNode } from 'react'

export const metadata = { title: 'Cachette on Next.js and Upstash (seed 003)' }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fr">
      <body>{children}</body>
    </html>
  )
}
