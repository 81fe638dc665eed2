const ROUTES = [
  'GET /api/fmpa?status=ACTIVE&page=1&limit=50 (Node) and GET /api/edge/fmpa (Edge)',
  'GET /api/formations?category=initiale (Node) and GET /api/edge/formations (Edge)',
  'POST /api/fmpa, PUT and DELETE /api/fmpa/[id]',
  'GET and PATCH /api/users/[id]',
  'GET /api/stats',
  'GET /api/cache/stats (Node)',
]

export default function Home() {
  return (
    <main style={{ fontFamily: 'system-ui', padding: 24 }}>
      <h1>Seed 003 on Cachette</h1>
      <p>Send the header x-tenant-id (sdis-13 or sdis-69). Each cached answer says x-cache: hit, miss or stale.</p>
      <ul>
        {ROUTES.map((route) => (
          <li key={route}>{route}</li>
        ))}
      </ul>
    </main>
  )
}
