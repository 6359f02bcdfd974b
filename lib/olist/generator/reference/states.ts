/**
 * Where customers and sellers are. State weights are the published data's shares (customers: SP 42%,
 * RJ 13%, MG 12%, …; sellers: SP 60%, PR 11%, …). Each state lists a few real cities with a slice of the
 * state's real CEP (zip) range, an approximate centre, and a weight within the state. Zip slices do not
 * overlap, so a zip prefix always names one city.
 */
import type { BrazilState } from '../../domains';

export interface CityRef {
  /** Lower case with its accents, as a person writes it ("são paulo"). */
  name: string;
  weight: number;
  zipLo: number;
  zipHi: number;
  lat: number;
  lng: number;
}

export interface StateRef {
  uf: BrazilState;
  /** Per 10,000 customers / sellers in the published data. */
  customerWeight: number;
  sellerWeight: number;
  cities: readonly CityRef[];
}

const c = (name: string, weight: number, zipLo: number, zipHi: number, lat: number, lng: number): CityRef => ({
  name,
  weight,
  zipLo,
  zipHi,
  lat,
  lng,
});

export const STATES: readonly StateRef[] = [
  {
    uf: 'SP', customerWeight: 4198, sellerWeight: 5974,
    cities: [
      c('são paulo', 38, 1000, 5999, -23.5505, -46.6333),
      c('guarulhos', 2.8, 7000, 7399, -23.4538, -46.5333),
      c('mogi das cruzes', 1.0, 8700, 8899, -23.5208, -46.1854),
      c('santo andré', 1.9, 9000, 9299, -23.6639, -46.5383),
      c('são bernardo do campo', 2.2, 9600, 9899, -23.6914, -46.5646),
      c('osasco', 1.8, 6000, 6299, -23.5329, -46.7917),
      c('barueri', 0.8, 6400, 6499, -23.5057, -46.879),
      c('santos', 1.7, 11000, 11099, -23.9608, -46.3336),
      c('são josé dos campos', 1.7, 12200, 12249, -23.1896, -45.8841),
      c('campinas', 3.5, 13000, 13149, -22.9056, -47.0608),
      c('jundiaí', 1.1, 13200, 13219, -23.1857, -46.8978),
      c('piracicaba', 0.8, 13400, 13429, -22.7253, -47.6492),
      c('ribeirão preto', 1.2, 14000, 14114, -21.1775, -47.8103),
      c('ibitinga', 0.3, 14940, 14949, -21.7577, -48.8297),
      c('sorocaba', 1.6, 18000, 18109, -23.5015, -47.4526),
    ],
  },
  {
    uf: 'RJ', customerWeight: 1292, sellerWeight: 553,
    cities: [
      c('rio de janeiro', 55, 20000, 23799, -22.9068, -43.1729),
      c('niterói', 8, 24000, 24399, -22.8832, -43.1034),
      c('são gonçalo', 6, 24400, 24799, -22.8269, -43.0539),
      c('duque de caxias', 4, 25000, 25299, -22.7856, -43.3117),
      c('petrópolis', 3, 25600, 25799, -22.5112, -43.1779),
      c('nova iguaçu', 4, 26000, 26099, -22.7592, -43.4511),
      c('volta redonda', 2, 27200, 27299, -22.5231, -44.1042),
      c('campos dos goytacazes', 3, 28000, 28099, -21.7545, -41.3244),
    ],
  },
  {
    uf: 'ES', customerWeight: 204, sellerWeight: 74,
    cities: [
      c('vitória', 12, 29000, 29099, -20.3155, -40.3128),
      c('vila velha', 12, 29100, 29129, -20.3297, -40.2925),
      c('cariacica', 5, 29140, 29159, -20.2632, -40.4165),
      c('serra', 9, 29160, 29179, -20.1209, -40.3074),
      c('cachoeiro de itapemirim', 3, 29300, 29314, -20.8462, -41.1198),
      c('linhares', 2, 29900, 29914, -19.3946, -40.0643),
    ],
  },
  {
    uf: 'MG', customerWeight: 1170, sellerWeight: 788,
    cities: [
      c('belo horizonte', 24, 30000, 31999, -19.9167, -43.9345),
      c('contagem', 5, 32000, 32399, -19.932, -44.0539),
      c('betim', 3, 32600, 32699, -19.9678, -44.1983),
      c('governador valadares', 2, 35000, 35099, -18.8545, -41.9555),
      c('ipatinga', 2, 35160, 35164, -19.4703, -42.5476),
      c('juiz de fora', 6, 36000, 36099, -21.7642, -43.3503),
      c('poços de caldas', 2, 37700, 37719, -21.7878, -46.5614),
      c('uberaba', 2.5, 38000, 38099, -19.7472, -47.9381),
      c('uberlândia', 6, 38400, 38415, -18.9186, -48.2772),
      c('montes claros', 3, 39400, 39409, -16.735, -43.8615),
    ],
  },
  {
    uf: 'BA', customerWeight: 340, sellerWeight: 61,
    cities: [
      c('salvador', 40, 40000, 42599, -12.9714, -38.5014),
      c('lauro de freitas', 3, 42700, 42709, -12.8944, -38.3272),
      c('camaçari', 3, 42800, 42849, -12.6996, -38.3263),
      c('feira de santana', 8, 44000, 44099, -12.2664, -38.9663),
      c('vitória da conquista', 5, 45000, 45099, -14.8615, -40.8442),
      c('itabuna', 3, 45600, 45619, -14.7876, -39.2781),
      c('ilhéus', 2, 45650, 45664, -14.7935, -39.0464),
    ],
  },
  {
    uf: 'SE', customerWeight: 35, sellerWeight: 6,
    cities: [
      c('aracaju', 50, 49000, 49099, -10.9472, -37.0731),
      c('nossa senhora do socorro', 6, 49160, 49169, -10.855, -37.1264),
      c('lagarto', 3, 49400, 49409, -10.9169, -37.6689),
    ],
  },
  {
    uf: 'PE', customerWeight: 166, sellerWeight: 29,
    cities: [
      c('recife', 40, 50000, 52999, -8.0476, -34.877),
      c('olinda', 8, 53000, 53299, -8.0089, -34.8553),
      c('paulista', 4, 53400, 53439, -7.9408, -34.8728),
      c('jaboatão dos guararapes', 10, 54000, 54499, -8.1127, -35.0147),
      c('caruaru', 5, 55000, 55049, -8.276, -35.9819),
      c('petrolina', 4, 56300, 56334, -9.3891, -40.503),
    ],
  },
  {
    uf: 'AL', customerWeight: 42, sellerWeight: 0,
    cities: [
      c('maceió', 50, 57000, 57099, -9.6658, -35.7353),
      c('rio largo', 3, 57100, 57109, -9.4783, -35.8533),
      c('arapiraca', 8, 57300, 57319, -9.7525, -36.6611),
    ],
  },
  {
    uf: 'PB', customerWeight: 54, sellerWeight: 19,
    cities: [
      c('joão pessoa', 40, 58000, 58099, -7.1195, -34.845),
      c('santa rita', 3, 58300, 58309, -7.1139, -34.9782),
      c('campina grande', 15, 58400, 58439, -7.2307, -35.8817),
      c('patos', 3, 58700, 58709, -7.0244, -37.28),
    ],
  },
  {
    uf: 'RN', customerWeight: 49, sellerWeight: 16,
    cities: [
      c('natal', 50, 59000, 59139, -5.7945, -35.211),
      c('parnamirim', 8, 59140, 59159, -5.9156, -35.2627),
      c('mossoró', 10, 59600, 59649, -5.1878, -37.3441),
    ],
  },
  {
    uf: 'CE', customerWeight: 134, sellerWeight: 42,
    cities: [
      c('fortaleza', 60, 60000, 61599, -3.7319, -38.5267),
      c('caucaia', 5, 61600, 61699, -3.7361, -38.6531),
      c('maracanaú', 4, 61900, 61939, -3.8769, -38.6256),
      c('sobral', 4, 62000, 62099, -3.688, -40.3497),
      c('juazeiro do norte', 5, 63000, 63059, -7.213, -39.3151),
    ],
  },
  {
    uf: 'PI', customerWeight: 50, sellerWeight: 3,
    cities: [
      c('teresina', 50, 64000, 64099, -5.0892, -42.8019),
      c('parnaíba', 6, 64200, 64219, -2.9055, -41.7734),
      c('picos', 4, 64600, 64609, -7.0769, -41.4669),
    ],
  },
  {
    uf: 'MA', customerWeight: 75, sellerWeight: 3,
    cities: [
      c('são luís', 40, 65000, 65109, -2.5307, -44.3068),
      c('caxias', 3, 65600, 65609, -4.859, -43.356),
      c('timon', 4, 65630, 65639, -5.0949, -42.8366),
      c('imperatriz', 10, 65900, 65919, -5.5185, -47.4777),
    ],
  },
  {
    uf: 'PA', customerWeight: 98, sellerWeight: 3,
    cities: [
      c('belém', 40, 66000, 66999, -1.4558, -48.4902),
      c('ananindeua', 10, 67000, 67199, -1.3656, -48.3722),
      c('santarém', 5, 68000, 68109, -2.443, -54.7082),
      c('marabá', 4, 68500, 68519, -5.3686, -49.1178),
      c('castanhal', 3, 68740, 68749, -1.2939, -47.9261),
    ],
  },
  {
    uf: 'AP', customerWeight: 7, sellerWeight: 0,
    cities: [c('macapá', 40, 68900, 68929, -0.0349, -51.0694), c('santana', 8, 68930, 68939, -0.0583, -51.1817)],
  },
  {
    uf: 'AM', customerWeight: 15, sellerWeight: 3,
    cities: [
      c('manaus', 60, 69000, 69099, -3.119, -60.0217),
      c('itacoatiara', 3, 69100, 69104, -3.1431, -58.4442),
      c('parintins', 3, 69150, 69154, -2.6283, -56.7358),
    ],
  },
  {
    uf: 'RR', customerWeight: 5, sellerWeight: 0,
    cities: [c('boa vista', 50, 69300, 69339, 2.8235, -60.6758), c('rorainópolis', 2, 69373, 69374, 0.9466, -60.4194)],
  },
  {
    uf: 'AC', customerWeight: 8, sellerWeight: 3,
    cities: [c('rio branco', 40, 69900, 69924, -9.9747, -67.8076), c('cruzeiro do sul', 6, 69980, 69984, -7.63, -72.67)],
  },
  {
    uf: 'DF', customerWeight: 215, sellerWeight: 97,
    cities: [
      c('brasília', 70, 70000, 71999, -15.7939, -47.8828),
      c('taguatinga', 15, 72000, 72199, -15.8333, -48.0564),
      c('ceilândia', 8, 72200, 72299, -15.819, -48.1083),
      c('gama', 7, 72400, 72499, -16.0194, -48.0672),
    ],
  },
  {
    uf: 'GO', customerWeight: 203, sellerWeight: 129,
    cities: [
      c('luziânia', 2, 72800, 72879, -16.2525, -47.9501),
      c('goiânia', 40, 74000, 74899, -16.6869, -49.2648),
      c('aparecida de goiânia', 10, 74900, 74999, -16.8198, -49.2469),
      c('anápolis', 8, 75000, 75149, -16.3281, -48.953),
      c('catalão', 2, 75700, 75709, -18.1656, -47.944),
      c('rio verde', 3, 75900, 75909, -17.7923, -50.9192),
    ],
  },
  {
    uf: 'RO', customerWeight: 25, sellerWeight: 6,
    cities: [
      c('porto velho', 30, 76800, 76849, -8.7608, -63.8999),
      c('ariquemes', 6, 76870, 76879, -9.9133, -63.0407),
      c('ji-paraná', 10, 76900, 76919, -10.8777, -61.9322),
      c('vilhena', 5, 76980, 76989, -12.7406, -60.1458),
    ],
  },
  {
    uf: 'TO', customerWeight: 28, sellerWeight: 0,
    cities: [
      c('palmas', 30, 77000, 77299, -10.1844, -48.3336),
      c('gurupi', 6, 77400, 77429, -11.7298, -49.0688),
      c('araguaína', 15, 77800, 77829, -7.192, -48.2044),
    ],
  },
  {
    uf: 'MT', customerWeight: 91, sellerWeight: 13,
    cities: [
      c('cuiabá', 35, 78000, 78109, -15.6014, -56.0979),
      c('várzea grande', 10, 78110, 78159, -15.6458, -56.1322),
      c('tangará da serra', 3, 78300, 78309, -14.6229, -57.4933),
      c('sinop', 6, 78550, 78559, -11.8604, -55.5091),
      c('rondonópolis', 8, 78700, 78759, -16.4673, -54.6372),
    ],
  },
  {
    uf: 'MS', customerWeight: 72, sellerWeight: 16,
    cities: [
      c('campo grande', 40, 79000, 79129, -20.4697, -54.6201),
      c('corumbá', 3, 79300, 79319, -19.0082, -57.651),
      c('três lagoas', 5, 79600, 79649, -20.7849, -51.7007),
      c('dourados', 10, 79800, 79849, -22.2231, -54.812),
    ],
  },
  {
    uf: 'PR', customerWeight: 507, sellerWeight: 1128,
    cities: [
      c('curitiba', 30, 80000, 82999, -25.4284, -49.2733),
      c('são josé dos pinhais', 3, 83000, 83099, -25.535, -49.2064),
      c('ponta grossa', 4, 84000, 84099, -25.095, -50.1619),
      c('cascavel', 3, 85800, 85829, -24.9555, -53.4552),
      c('foz do iguaçu', 2, 85850, 85869, -25.5469, -54.5882),
      c('londrina', 9, 86000, 86099, -23.3045, -51.1696),
      c('maringá', 7, 87000, 87119, -23.4205, -51.9333),
    ],
  },
  {
    uf: 'SC', customerWeight: 366, sellerWeight: 614,
    cities: [
      c('florianópolis', 12, 88000, 88099, -27.5954, -48.548),
      c('são josé', 6, 88100, 88124, -27.6136, -48.6366),
      c('itajaí', 4, 88300, 88319, -26.9078, -48.6619),
      c('balneário camboriú', 3, 88330, 88339, -26.9906, -48.6348),
      c('criciúma', 4, 88800, 88819, -28.6775, -49.3697),
      c('blumenau', 8, 89000, 89099, -26.9194, -49.0661),
      c('joinville', 10, 89200, 89239, -26.3045, -48.8487),
      c('chapecó', 3, 89800, 89819, -27.1004, -52.6152),
    ],
  },
  {
    uf: 'RS', customerWeight: 550, sellerWeight: 417,
    cities: [
      c('porto alegre', 30, 90000, 91999, -30.0346, -51.2177),
      c('canoas', 5, 92000, 92499, -29.9178, -51.1839),
      c('novo hamburgo', 3, 93300, 93599, -29.6783, -51.1309),
      c('caxias do sul', 7, 95000, 95099, -29.1678, -51.1794),
      c('pelotas', 5, 96000, 96099, -31.7654, -52.3376),
      c('santa maria', 4, 97000, 97119, -29.6842, -53.8069),
      c('passo fundo', 3, 99000, 99099, -28.2628, -52.4087),
    ],
  },
];

/** "são paulo" → "sao paulo": how the customers and sellers files write city names. */
export function asciiName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}
